// status_summary: what the status page shows (docs/monitoring.md, "Status page"), as the heartbeat
// store computes it from its own rows on its own thread (heartbeat_sink::request_status_summary).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rb {

// One slice of the last 24 hours of a monitor's response-time chart.
struct status_bucket {
  int checks = 0;      // 0: no heartbeat in this slice
  int failures = 0;    // failed checks among them
  double avg_ms = -1;  // mean total_ms of the successful checks; < 0: none succeeded
  // Mean total_ms of the failed checks that took any time (a refused connect may take none);
  // < 0: no such failure.
  double failed_avg_ms = -1;
};

// A monitor is (datacenter, name): one name checked from several locations is several monitors.
struct monitor_status {
  std::string name;
  std::string url;  // "" when unknown (the table does not keep it)
  // The newest heartbeat (within the last 7 days).
  std::int64_t last_at_us = 0;  // scheduled_at
  bool last_success = false;
  std::optional<int> last_status;
  double last_total_ms = 0;
  std::string last_reason;  // why the last check failed ("" when it succeeded)
  std::int64_t checks_24h = 0, up_24h = 0;
  std::int64_t checks_7d = 0, up_7d = 0;
  std::vector<status_bucket> buckets;  // oldest first, status_summary::bucket_count of them
  std::string datacenter{};            // "" = none
};

// A run of consecutive failed checks of one monitor.
struct status_incident {
  std::string monitor;
  std::int64_t started_us = 0;  // the first failed check's slot
  std::int64_t ended_us = 0;    // the slot of the success that ended it; 0: ongoing
  int failures = 0;
  std::string reason;  // of the run's last failed check
  std::string datacenter{};  // "" = none
};

struct status_summary {
  static constexpr int bucket_count = 96;  // 15 minutes each
  std::string error;                       // "" = the store answered
  std::int64_t as_of_us = 0;               // when it was computed
  double took_ms = 0;                      // how long the store took to compute it
  std::int64_t buckets_from_us = 0;        // the first bucket's start
  std::int64_t bucket_us = 0;              // each bucket's width
  std::vector<monitor_status> monitors;    // by name, then datacenter
  // 10 across monitors: the ongoing ones first, then by start, newest first.
  std::vector<status_incident> incidents;
};

}  // namespace rb
