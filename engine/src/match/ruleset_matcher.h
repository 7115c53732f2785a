// ruleset_matcher: the rules of one ruleset, compiled, and the decision which of them an event
// fires. Rules are tried in file order; by default the first matching rule consumes the event,
// with match_multiple_rules every matching rule fires.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "condition/condition.h"
#include "core/value.h"

namespace rb::match {

struct rule {
  std::string name;
  std::string uuid;
  // A single condition; nullopt with `constant` set for `condition: true|false`.
  std::optional<condition::program> program;
  bool constant = false;
  bool enabled = true;
};

class ruleset_matcher {
 public:
  ruleset_matcher(std::vector<rule> rules, bool match_multiple_rules);

  // Indexes (into rules()) of the rules `event` fires, in order, appended to `fired`.
  void on_event(const value& event, std::vector<std::size_t>& fired) const noexcept;

  const std::vector<rule>& rules() const noexcept { return rules_; }

 private:
  std::vector<rule> rules_;
  bool match_multiple_rules_;
};

}  // namespace rb::match
