#include "match/firing.h"

namespace rb::match {

value firing::matching_events() const {
  value out = value::object();
  for (const auto& e : events()) out[std::string(e.name)] = *e.event;
  return out;
}

void firing::add(std::string_view name, event_ptr event) {
  if (!one_.event && more_.empty()) {
    one_ = {name, std::move(event)};
    return;
  }
  if (more_.empty()) more_.push_back(std::move(one_));
  more_.push_back({name, std::move(event)});
}

}  // namespace rb::match
