// rule: one rule of a ruleset as the matcher sees it — its compiled conditions, its kind, its
// timing (timeout, throttle) and whether it is enabled. The engine builds these from
// rulebook::rule_spec; actions stay with the engine, which finds them by the rule's position in
// ruleset_matcher::rules() (firing::rule).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "condition/condition.h"

namespace rb::match {

enum class rule_kind {
  single,    // `condition: <text>`: one event, reported as `m`
  constant,  // `condition: true|false`
  all,       // every condition, each by a distinct event or fact, in any order
  any,       // the first condition one event satisfies
  not_all,   // some but not all conditions within `timeout` of the first
};

struct throttle_spec {
  enum class kind { once_within, once_after, accumulate_within };
  kind type = kind::once_within;
  std::chrono::milliseconds window{0};
  long threshold = 1;                            // accumulate_within only
  std::vector<std::string> group_by_attributes;  // as written: `event.meta.hosts`
};

struct rule {
  std::string name;
  std::string uuid;
  rule_kind kind = rule_kind::single;
  std::vector<condition::program> conditions;  // one for `single`, in file order otherwise
  bool constant = false;                       // the value of a `constant` rule
  // `all`: every event of a firing within this of the others (it replaces default_events_ttl for
  // the rule); `not_all`: the window that starts with the first matching condition.
  std::optional<std::chrono::milliseconds> timeout;
  std::optional<throttle_spec> throttle;  // single-condition rules only
  bool enabled = true;
  // The caller has no use for this rule's firings (only `none` actions and no audit log): single,
  // constant and any rules then fire (the event is used up as usual) without producing a firing,
  // which keeps the hot path free of allocations. Other kinds still produce theirs.
  bool silent = false;
  // The caller writes this rule's events only through append_event_json (the audit record of
  // `none` actions): single, constant and any firings carry them with meta still pending
  // (named_event::meta), which saves building meta as a tree. Others are always whole.
  bool raw_events = false;
};

}  // namespace rb::match
