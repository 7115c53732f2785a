// fact_store: the facts of one ruleset (set_fact, gathered facts), in assertion order. Facts are
// never consumed and never expire; they leave only by retraction. Two facts equal but for their
// `meta` are one fact: asserting it again replaces the older one.
//
// Facts are indexed by their canonical text (core/canonical.h: meta left out, 3 == 3.0), so
// asserting, replacing and exactly retracting cost constant expected time (plus the fact's size).
// A partial retraction scans every fact. Removed facts are only marked (`item::retracted`) and
// swept out once they are half of the list, so all() may show them: readers skip them.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "match/item.h"

namespace rb::match {

class fact_store {
 public:
  // Stores `fact` (its meta possibly still to write: view() writes it) and returns the item to
  // offer to the rules.
  const item_ptr& assert_fact(value&& fact, time_point now) {
    return assert_fact(std::move(fact), pending_meta{}, now);
  }
  const item_ptr& assert_fact(value&& fact, pending_meta meta, time_point now);

  // Removes every fact `pattern` describes and returns how many. partial: each key of the
  // pattern (recursively into objects) is in the fact with an equal value; otherwise the fact
  // equals the pattern. `meta` is ignored on both sides.
  std::size_t retract(const value& pattern, bool partial);

  // Every fact in assertion order, retracted ones included (skip `retracted`).
  const std::vector<item_ptr>& all() const noexcept { return facts_; }
  std::size_t size() const noexcept { return index_.size(); }

 private:
  void remove(std::size_t position);
  void sweep();

  std::vector<item_ptr> facts_;
  std::vector<std::string> keys_;                       // parallel to facts_
  std::unordered_map<std::string, std::size_t> index_;  // key → position in facts_
  std::size_t removed_ = 0;
};

// Exposed for tests: the comparisons behind assert_fact and retract.
bool same_fact(const value& a, const value& b) noexcept;
bool fact_contains(const value& fact, const value& pattern) noexcept;

}  // namespace rb::match
