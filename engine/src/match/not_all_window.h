// not_all_window: one `not_all` rule. The first event (or fact) satisfying one of its conditions
// opens a window of `timeout`; each condition then remembers the first event that satisfied it.
// If every condition is satisfied before the window ends, the window closes silently and its
// events are used up; otherwise, when it ends, the rule fires once with the event that opened it
// (named after its condition: `m_<i>` or the `<<` name), and its events are used up.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "match/firing.h"
#include "match/item.h"
#include "match/rule.h"

namespace rb::match {

class not_all_window {
 public:
  not_all_window(const rule& r, std::chrono::milliseconds timeout);

  // Marks the first unsatisfied condition `x` satisfies. Returns the deadline when this opened a
  // window (the caller arms a timer carrying generation()). Never fires and never uses up `x`
  // by itself: the event stays available to later rules, as in ansible-rulebook.
  std::optional<time_point> offer(incoming& x, bool consume_globally);

  // The window's end, if open and of this generation; fires into `out` and resets.
  void on_deadline(std::uint64_t generation, time_point now, bool consume_globally,
                   std::size_t rule_index, std::vector<firing>& out);

  std::uint64_t generation() const noexcept { return generation_; }
  std::size_t held() const noexcept;

 private:
  void reset(bool consume_globally) noexcept;

  const rule* rule_;
  std::chrono::milliseconds timeout_;
  std::vector<std::string> names_;
  std::vector<item_ptr> seen_;
  std::size_t seen_count_ = 0;
  std::size_t first_ = 0;
  bool open_ = false;
  time_point end_{};
  std::uint64_t generation_ = 0;
  std::vector<condition::binding> bound_;
};

}  // namespace rb::match
