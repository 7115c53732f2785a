// item: an event or fact the matcher keeps (in a partial match, a throttle, the fact store or a
// firing), and `incoming`, the value under test that becomes an item only when something must
// keep it — an event no rule wants is never copied, moved or allocated for.
#pragma once

#include <chrono>
#include <memory>

#include "core/event_meta.h"
#include "core/value.h"
#include "match/firing.h"

namespace rb::match {

using time_point = std::chrono::steady_clock::time_point;

struct item {
  value data;
  // Meta not yet written into `data` (core/event_meta.h): view() writes it.
  pending_meta meta;
  time_point arrived;
  bool fact = false;
  // Took part in a firing while match_multiple_rules is off: every rule must forget it.
  bool consumed = false;
  // A fact that was retracted or replaced: the fact store sweeps it out later.
  bool retracted = false;
};

using item_ptr = std::shared_ptr<item>;

// The shared value of an item, without a second allocation (aliasing constructor), its meta
// written first: what leaves the matcher is the whole event. No one holds a view before the
// first one, so writing meta there changes nothing anyone has seen.
inline event_ptr view(const item_ptr& it) noexcept {
  if (it->meta.pending()) render_meta(it->data, it->meta);
  return event_ptr(it, &it->data);
}

// Adds an item to a firing: whole (view), or, for a rule with raw_events, with its meta pending.
inline void add_to(firing& f, std::string_view name, const item_ptr& it, bool raw) {
  if (raw && it->meta.pending()) {
    f.add(name, event_ptr(it, &it->data), &it->meta);
  } else {
    f.add(name, view(it));
  }
}

class incoming {
 public:
  // An event still owned by the caller; hold() moves it into an item.
  incoming(value& raw, pending_meta meta, time_point now) noexcept
      : raw_(&raw), meta_(meta), now_(now) {}
  // A fact, already an item.
  explicit incoming(item_ptr held) noexcept : held_(std::move(held)), now_(held_->arrived) {}

  // Stable while the search runs: hold() is only called once the outcome is known.
  const value& data() const noexcept { return held_ ? held_->data : *raw_; }
  bool is_fact() const noexcept { return held_ && held_->fact; }
  time_point now() const noexcept { return now_; }

  const item_ptr& hold() {
    if (!held_) {
      held_ = std::make_shared<item>(item{std::move(*raw_), meta_, now_, false, false});
      raw_ = nullptr;
    }
    return held_;
  }
  // Marks the event consumed so rules that stored it forget it. An event nobody holds needs no
  // mark: no rule has it. Facts are never consumed.
  void consume() noexcept {
    if (held_ && !held_->fact) held_->consumed = true;
  }

 private:
  value* raw_ = nullptr;
  pending_meta meta_;
  item_ptr held_;
  time_point now_;
};

}  // namespace rb::match
