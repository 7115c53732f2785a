// monitor_metrics: the last http_check result of each (monitor, datacenter) on /metrics, as
// gauges: rulebook_monitor_up, rulebook_monitor_last_check_timestamp_seconds,
// rulebook_monitor_check_duration_seconds{phase} and
// rulebook_monitor_cert_expiry_timestamp_seconds.
//
// A pair's series are made on its first check (callbacks read at scrape time); afterwards a check
// is one map lookup and a few relaxed stores. Cardinality is bounded: past `max_pairs` pairs, new
// pairs are not exported, with one warning in the log (a runaway catalog must not eat the
// scraper). Thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "core/metrics.h"

namespace rb::actions {

class monitor_metrics {
 public:
  static constexpr std::size_t default_max_pairs = 10000;
  static constexpr std::array<const char*, 6> phases = {"dns",  "connect",  "tls",
                                                        "ttfb", "transfer", "total"};

  struct check {
    bool up = false;
    std::int64_t started_us = 0;       // Unix microseconds
    std::array<double, 6> phase_ms{};  // in the order of `phases`
    std::int64_t cert_expires_at = 0;  // Unix seconds; 0: no certificate seen
  };

  explicit monitor_metrics(metrics& registry, std::size_t max_pairs = default_max_pairs)
      : registry_(registry), max_pairs_(max_pairs) {}

  // Keeps `c` as the last check of (monitor, datacenter); false if the pair is over the bound.
  bool record(const std::string& monitor, const std::string& datacenter, const check& c);

  std::size_t pairs() const;

 private:
  struct entry;
  std::shared_ptr<entry> make_entry(const std::string& monitor, const std::string& datacenter);

  metrics& registry_;
  const std::size_t max_pairs_;
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<entry>> entries_;
  bool warned_ = false;
};

}  // namespace rb::actions
