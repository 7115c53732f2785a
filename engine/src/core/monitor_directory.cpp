#include "core/monitor_directory.h"

namespace rb {

void monitor_directory::publish(const void* owner, std::vector<monitor_listing> monitors) {
  for (auto& m : monitors) m.scheduled = true;
  published_[owner] = std::move(monitors);
}

void monitor_directory::checked(monitor_listing m) {
  // A name checked again (perhaps with another URL) keeps the newest.
  m.scheduled = false;
  const auto it = checked_.find(m.name);
  if (it != checked_.end())
    it->second = std::move(m);
  else if (checked_.size() < max_checked)
    checked_.emplace(std::string(m.name), std::move(m));
}

std::vector<monitor_listing> monitor_directory::all() const {
  std::map<std::string, monitor_listing> by_name;
  for (const auto& [owner, list] : published_)
    for (const auto& m : list) by_name.emplace(m.name, m);
  for (const auto& [name, m] : checked_) by_name.emplace(name, m);
  std::vector<monitor_listing> out;
  out.reserve(by_name.size());
  for (auto& [name, m] : by_name) out.push_back(std::move(m));
  return out;
}

}  // namespace rb
