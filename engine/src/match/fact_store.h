// fact_store: the facts of one ruleset (set_fact, gathered facts), in assertion order. Facts are
// never consumed and never expire; they leave only by retraction. Two facts equal but for their
// `meta` are one fact: asserting it again replaces the older one.
#pragma once

#include <cstddef>
#include <vector>

#include "match/item.h"

namespace rb::match {

class fact_store {
 public:
  // Stores `fact` and returns the item to offer to the rules.
  const item_ptr& assert_fact(value&& fact, time_point now);

  // Removes every fact `pattern` describes and returns how many. partial: each key of the
  // pattern (recursively into objects) is in the fact with an equal value; otherwise the fact
  // equals the pattern. `meta` is ignored on both sides.
  std::size_t retract(const value& pattern, bool partial);

  const std::vector<item_ptr>& all() const noexcept { return facts_; }

 private:
  std::vector<item_ptr> facts_;
};

// Exposed for tests: the comparisons behind assert_fact and retract.
bool same_fact(const value& a, const value& b) noexcept;
bool fact_contains(const value& fact, const value& pattern) noexcept;

}  // namespace rb::match
