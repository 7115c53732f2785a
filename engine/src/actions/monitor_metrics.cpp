#include "actions/monitor_metrics.h"

#include <spdlog/spdlog.h>

#include <atomic>

namespace rb::actions {

// Read by the registry's callbacks at scrape time, written by record(): atomics, no lock. Shared
// with the callbacks so they stay valid whatever is destroyed first.
struct monitor_metrics::entry {
  std::atomic<double> up{0};
  std::atomic<double> last_check{0};
  std::array<std::atomic<double>, 6> phase_seconds{};
  std::atomic<double> cert_expiry{0};
  bool cert_registered = false;  // under monitor_metrics::mutex_
};

std::shared_ptr<monitor_metrics::entry> monitor_metrics::make_entry(const std::string& monitor,
                                                                    const std::string& datacenter) {
  auto e = std::make_shared<entry>();
  const metric_labels labels = {{"monitor", monitor}, {"datacenter", datacenter}};
  registry_.callback(
      "rulebook_monitor_up",
      "Whether the last check of the monitor from the datacenter succeeded (1) or not "
      "(0)",
      metrics::kind::gauge, labels, [e] { return e->up.load(); });
  registry_.callback("rulebook_monitor_last_check_timestamp_seconds",
                     "When the last check of the monitor from the datacenter started, Unix seconds",
                     metrics::kind::gauge, labels, [e] { return e->last_check.load(); });
  for (std::size_t i = 0; i < phases.size(); ++i) {
    metric_labels l = labels;
    l.emplace_back("phase", phases[i]);
    registry_.callback("rulebook_monitor_check_duration_seconds",
                       "Duration of each phase of the last check of the monitor from the "
                       "datacenter",
                       metrics::kind::gauge, l, [e, i] { return e->phase_seconds[i].load(); });
  }
  return e;
}

bool monitor_metrics::record(const std::string& monitor, const std::string& datacenter,
                             const check& c) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto key = std::make_pair(monitor, datacenter);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    if (entries_.size() >= max_pairs_) {
      if (!warned_) {
        warned_ = true;
        spdlog::warn(
            "metrics: more than {} (monitor, datacenter) pairs; checks of new ones (first: {} "
            "[{}]) are left out of the rulebook_monitor_* series",
            max_pairs_, monitor, datacenter);
      }
      return false;
    }
    it = entries_.emplace(std::move(key), make_entry(monitor, datacenter)).first;
  }
  entry& e = *it->second;
  e.up.store(c.up ? 1 : 0, std::memory_order_relaxed);
  e.last_check.store(static_cast<double>(c.started_us) / 1e6, std::memory_order_relaxed);
  for (std::size_t i = 0; i < phases.size(); ++i)
    e.phase_seconds[i].store(c.phase_ms[i] / 1000.0, std::memory_order_relaxed);
  // The expiry stays the last one seen: a check that got no certificate (down) says nothing new.
  if (c.cert_expires_at) {
    e.cert_expiry.store(static_cast<double>(c.cert_expires_at), std::memory_order_relaxed);
    if (!e.cert_registered) {
      e.cert_registered = true;
      auto shared = it->second;
      registry_.callback("rulebook_monitor_cert_expiry_timestamp_seconds",
                         "When the certificate the last check of the monitor saw expires, Unix "
                         "seconds",
                         metrics::kind::gauge, {{"monitor", monitor}, {"datacenter", datacenter}},
                         [shared] { return shared->cert_expiry.load(); });
    }
  }
  return true;
}

std::size_t monitor_metrics::pairs() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

}  // namespace rb::actions
