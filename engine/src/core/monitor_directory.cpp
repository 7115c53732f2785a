#include "core/monitor_directory.h"

namespace rb {

void monitor_directory::publish(const void* owner, std::vector<monitor_listing> monitors) {
  for (auto& m : monitors) {
    m.scheduled = true;
    if (m.datacenter.empty()) m.datacenter = default_dc_;
  }
  published_[owner] = std::move(monitors);
}

void monitor_directory::checked(monitor_listing m) {
  // A monitor checked again (perhaps with another URL) keeps the newest.
  m.scheduled = false;
  if (m.datacenter.empty()) m.datacenter = default_dc_;
  key k{m.name, m.datacenter};
  const auto it = checked_.find(k);
  if (it != checked_.end())
    it->second = std::move(m);
  else if (checked_.size() < max_checked)
    checked_.emplace(std::move(k), std::move(m));
}

std::vector<monitor_listing> monitor_directory::all() const {
  std::map<key, monitor_listing> by_key;
  for (const auto& [owner, list] : published_)
    for (const auto& m : list) by_key.emplace(key{m.name, m.datacenter}, m);
  for (const auto& [k, m] : checked_) by_key.emplace(k, m);
  std::vector<monitor_listing> out;
  out.reserve(by_key.size());
  for (auto& [k, m] : by_key) out.push_back(std::move(m));
  return out;
}

}  // namespace rb
