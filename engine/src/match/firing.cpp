#include "match/firing.h"

namespace rb::match {

value firing::matching_events() const {
  value out = value::object();
  for (const auto& e : events()) {
    value& v = out[std::string(e.name)] = *e.event;
    if (e.meta && e.meta->pending()) {
      pending_meta m = *e.meta;
      render_meta(v, m);
    }
  }
  return out;
}

void firing::add(std::string_view name, event_ptr event, pending_meta* meta) {
  if (!one_.event && more_.empty()) {
    one_ = {name, std::move(event), meta};
    return;
  }
  if (more_.empty()) more_.push_back(std::move(one_));
  more_.push_back({name, std::move(event), meta});
}

void materialize(named_event& e) noexcept {
  if (!e.meta) return;
  // The item is not const; event_ptr only says that its readers must not change it.
  if (e.meta->pending()) render_meta(const_cast<value&>(*e.event), *e.meta);
  e.meta = nullptr;
}

void firing::materialize() noexcept {
  match::materialize(one_);
  for (auto& e : more_) match::materialize(e);
}

}  // namespace rb::match
