// firing: one rule firing — the rule's index and its matching events, each under the name
// ansible-rulebook reports it by (`m` for one event, `m_0`, `m_1`, ... or the `<<` name).
// Events are shared, never copied: building the `{"m": ...}` object is left to the caller, who
// needs it only for an audit record or templating.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/event_meta.h"
#include "core/value.h"

namespace rb::match {

using event_ptr = std::shared_ptr<const value>;

struct named_event {
  std::string_view name;  // owned by the matcher; valid while it lives
  event_ptr event;
  // Set only in firings of a rule with raw_events: the event's meta, not yet written into it
  // (core/event_meta.h). Lives with the event (the same item). materialize() writes it.
  pending_meta* meta = nullptr;
};

// Writes `e`'s pending meta into its event (the item is shared: every holder sees the same
// text, see event_meta.h); afterwards e.meta is null.
void materialize(named_event& e) noexcept;

// `m_0`, `m_1`, ...: names for firings with any number of events, at stable addresses.
class index_names {
 public:
  std::string_view operator[](std::size_t i) {
    while (names_.size() <= i) names_.push_back("m_" + std::to_string(names_.size()));
    return names_[i];
  }

 private:
  std::deque<std::string> names_;
};

class firing {
 public:
  explicit firing(std::size_t rule_index) noexcept : rule(rule_index) {}

  std::size_t rule;  // index into ruleset_matcher::rules()

  // In report order.
  std::span<const named_event> events() const noexcept {
    if (!more_.empty()) return more_;
    return {&one_, one_.event ? 1u : 0u};
  }
  // The first matching event (for `event` in templating of single-event firings).
  const value& first() const noexcept { return *events().front().event; }

  // {"m": {...}} or {"m_0": {...}, "m_1": {...}} or assigned names.
  value matching_events() const;

  void add(std::string_view name, event_ptr event, pending_meta* meta = nullptr);

  // Writes pending meta into the events (shared: whoever else holds them sees the same
  // text, see event_meta.h), so that each event is whole.
  void materialize() noexcept;

 private:
  // One event needs no vector: single-condition firings stay at one allocation (the event).
  named_event one_;
  std::vector<named_event> more_;
};

}  // namespace rb::match
