// ruleset_matcher: the rules of one ruleset, compiled, with everything they remember — partial
// matches of `all` rules, `not_all` windows, throttles, facts — deciding which rules an event
// or fact fires.
//
// Contract:
// - Rules are tried in file order (through the rule index: only rules that could match). With
//   match_multiple_rules off, the first rule that fires with an event (or whose throttle takes
//   it) uses the event up: later rules do not see it and it leaves every partial match it was
//   in. With it on, an event fires every rule it matches (each at most once) and stays in other
//   rules' partial matches. Facts are never used up: a fact fires every rule it matches.
// - Time is an argument: `now` must not go backwards between calls. The caller arms one timer
//   for next_deadline() and calls on_time(); deadlines already past are also honoured at the
//   start of on_event/assert_fact, so firings are never late relative to later events.
// - Firings are appended to `out` in the order they happen; the caller runs their actions after
//   the call returns (actions may call back into the matcher: use another `out` vector there).
// - Building throws std::invalid_argument; the calls after that never throw (allocation failure
//   terminates).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "condition/condition.h"
#include "core/value.h"
#include "match/all_join.h"
#include "match/fact_store.h"
#include "match/firing.h"
#include "match/item.h"
#include "match/not_all_window.h"
#include "match/rule.h"
#include "match/rule_index.h"
#include "match/throttle.h"

namespace rb::match {

struct matcher_options {
  bool match_multiple_rules = false;
  // How long an event waits in a partial match (`all` without timeout).
  std::chrono::milliseconds default_events_ttl = std::chrono::hours(2);
};

class ruleset_matcher {
 public:
  ruleset_matcher(std::vector<rule> rules, matcher_options options);
  ~ruleset_matcher();
  ruleset_matcher(const ruleset_matcher&) = delete;
  ruleset_matcher& operator=(const ruleset_matcher&) = delete;

  // An event from a source or post_event. It is moved from only if something keeps it (a firing
  // or a partial match); an event no rule wants is left untouched.
  void on_event(value&& event, time_point now, std::vector<firing>& out) noexcept;
  // The same with its meta still to write (core/event_meta.h): only for a ruleset that does not
  // reads_meta(); the meta is written when the event leaves in a firing.
  void on_event(value&& event, pending_meta meta, time_point now,
                std::vector<firing>& out) noexcept;

  // True when a condition or a throttle of some rule may read an event's `meta` (or the whole
  // event): its events must carry meta before they are matched.
  bool reads_meta() const noexcept { return reads_meta_; }

  // set_fact: stores the fact (replacing one equal but for `meta`) and fires the rules it
  // matches, `event.` conditions included.
  void assert_fact(value&& fact, time_point now, std::vector<firing>& out) noexcept;
  // The same with its meta still to write (see on_event).
  void assert_fact(value&& fact, pending_meta meta, time_point now,
                   std::vector<firing>& out) noexcept;

  // retract_fact: removes the facts `fact` describes (partial: by the keys given; otherwise the
  // whole fact, `meta` aside). Returns how many were removed.
  std::size_t retract_fact(const value& fact, bool partial) noexcept;

  // The earliest time on_time() has something to do (a not_all window or once_after ends).
  std::optional<time_point> next_deadline() const noexcept;
  // False when next_deadline() is surely empty (cheap, for the hot path).
  bool may_have_deadline() const noexcept { return !timers_.empty(); }
  void on_time(time_point now, std::vector<firing>& out) noexcept;

  // HA persistence of throttle windows (throttle::on_change, throttle::restore), by rule index.
  using throttle_change_fn =
      std::function<void(std::size_t rule, const std::string& group, long count, time_point end)>;
  void on_throttle_change(const throttle_change_fn& changed);
  void restore_throttle(std::size_t rule, const std::string& group, long count, time_point end);

  // The current facts, in assertion order.
  std::vector<event_ptr> facts() const;
  const std::vector<rule>& rules() const noexcept { return rules_; }
  // Events and groups the matcher holds (partial matches, windows, throttles); for tests/metrics.
  std::size_t held() const noexcept;
  const rule_index& index() const noexcept { return *index_; }

 private:
  struct rule_state {
    std::vector<std::string> names;  // m_<i> or assigned names (any)
    std::unique_ptr<all_join> join;
    std::unique_ptr<not_all_window> window;
    std::unique_ptr<throttle> thr;
  };
  struct timer {
    time_point at;
    std::uint32_t rule;
    std::uint64_t generation;
    bool operator>(const timer& o) const noexcept { return at > o.at; }
  };

  bool offer(std::size_t r, incoming& x, std::vector<firing>& out);
  void run_due(time_point now, std::vector<firing>& out);
  bool live(const timer& t) const noexcept;
  void sweep(time_point now) noexcept;

  std::vector<rule> rules_;
  matcher_options options_;
  bool reads_meta_ = false;
  std::vector<rule_state> state_;
  std::unique_ptr<rule_index> index_;
  std::vector<std::uint32_t> joins_;  // rules with an all_join, for sweeping
  fact_store facts_;
  mutable std::priority_queue<timer, std::vector<timer>, std::greater<>> timers_;
  index_names m_names_;
  std::vector<std::uint32_t> scratch_;
  time_point now_{};
  std::uint32_t since_sweep_ = 0;
};

}  // namespace rb::match
