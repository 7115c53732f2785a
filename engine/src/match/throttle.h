// throttle: the `throttle:` of a single-condition rule, per group of events (the values of the
// group_by_attributes). Every event the rule's condition matches goes to the throttle and is used
// up by the rule whether or not it fires, as ansible-rulebook deletes it.
//   once_within: the first event of a group fires; the group's later events are dropped until
//     `window` after that first one.
//   once_after: the first event of a rule's quiet period opens a window of `window`; the first
//     event of each group is kept, later ones dropped; at the end the rule fires once with the
//     kept events (`m` for one, else `m_0`, `m_1`, ... in arrival order).
//   accumulate_within: the first event of a group opens a window of `window` for that group;
//     the event that makes `threshold` events of the group within it fires (alone, as `m`) and
//     the count starts again; a window that ends short of the threshold is forgotten.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "condition/condition.h"
#include "match/firing.h"
#include "match/item.h"
#include "match/rule.h"

namespace rb::match {

class throttle {
 public:
  // Throws std::invalid_argument for a group_by attribute that does not compile.
  explicit throttle(const throttle_spec& spec);

  struct result {
    bool fire = false;                   // fire now with the event, as `m`
    std::optional<time_point> deadline;  // once_after opened a window: arm a timer
  };
  result offer(incoming& x);

  // once_after: the window of this generation ended; fires into `out`.
  void on_deadline(std::uint64_t generation, time_point now, std::size_t rule_index,
                   std::vector<firing>& out, index_names& names);

  std::uint64_t generation() const noexcept { return generation_; }
  std::size_t held() const noexcept;

  // HA persistence of once_within and accumulate_within windows (once_after holds events, which
  // are not persisted). `changed` hears every change of a group's window: its count (once_within:
  // 1) and end; a count of 0 means the window is gone.
  using change_fn = std::function<void(const std::string& group, long count, time_point end)>;
  void on_change(change_fn changed) { changed_ = std::move(changed); }
  // Puts back a window read from the store (a new leader, before any event).
  void restore(const std::string& group, long count, time_point end);

 private:
  std::string group_key(const value& v) const;
  void sweep(time_point now);

  throttle_spec spec_;
  std::vector<condition::expression> attributes_;
  // once_within: group → end of its quiet window. accumulate_within: group → (count, end).
  std::unordered_map<std::string, time_point> quiet_until_;
  struct tally {
    long count = 0;
    time_point end;
  };
  std::unordered_map<std::string, tally> tallies_;
  std::size_t sweep_at_ = 64;
  // once_after
  bool open_ = false;
  time_point end_{};
  std::uint64_t generation_ = 0;
  std::unordered_set<std::string> kept_groups_;
  std::vector<item_ptr> kept_;
  change_fn changed_;
};

}  // namespace rb::match
