// cluster: an HA group for the failover suite and bench/ha_failover.cpp: a real PostgreSQL
// (pg_server), workers running the real binary, each behind its own fault_proxy, and the checks
// every scenario ends with. No test framework here: problems come back as text.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness.h"
#include "support/fault_proxy.h"
#include "support/pg_server.h"

namespace rb::test {

std::chrono::system_clock::time_point parse_iso(const std::string& s);
double seconds_between(std::chrono::system_clock::time_point a,
                       std::chrono::system_clock::time_point b);
bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout);
// Waits until the file holds `text` (a log line); false on timeout.
bool wait_for_text(const std::string& file, const std::string& text,
                   std::chrono::milliseconds timeout);

struct ha_worker {
  std::string id;
  std::unique_ptr<fault_proxy> proxy;
  int pid = -1;
  std::string out, err, audit;
  int exit_code = -1;
  int signal = 0;
  std::string log() const { return read_file(err); }
};

struct action_record {
  std::string worker;
  std::int64_t epoch = 0;
  std::string rule;
  std::string run_at;
  std::string action;
};

class ha_cluster {
 public:
  // `rulebook`: a path; `extra`: flags added to every worker's command line; `server`: a running
  // server to use (benchmarks reuse one across trials), else the cluster starts its own.
  explicit ha_cluster(std::string rulebook, std::vector<std::string> extra = {},
                      pg_server* server = nullptr);
  ~ha_cluster();
  ha_cluster(const ha_cluster&) = delete;
  ha_cluster& operator=(const ha_cluster&) = delete;

  pg_server& pg() { return *pg_; }
  ha_worker& start(const std::string& id);
  std::string dsn_via(const ha_worker& w) const;

  // Every worker's Action records, sorted by run_at.
  std::vector<action_record> records() const;
  std::int64_t epoch_of(const ha_worker& w) const;  // highest epoch it acted in; 0: none
  std::optional<action_record> first_after(std::int64_t epoch) const;
  // Waits until `w` acts in an epoch above `after`; returns that epoch (0 on timeout).
  std::int64_t wait_leader(const ha_worker& w, std::int64_t after = 0,
                           std::chrono::milliseconds timeout = std::chrono::seconds(15));

  // A trigger records every fact write whose epoch is not the current one.
  void install_fence_check();
  // Overlapping terms, an epoch used by two workers, a stale write accepted, a password in a log:
  // one line per problem, empty when the history is clean. Observe-only actions (http_check,
  // none) may run in an old epoch after a new one began: their heartbeats are fenced instead.
  std::vector<std::string> history_problems() const;

  void stop_all(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  void reap(ha_worker& w, std::chrono::milliseconds timeout);

 private:
  std::unique_ptr<pg_server> own_pg_;
  pg_server* pg_;
  temp_dir dir_;
  std::string rulebook_;
  std::vector<std::string> extra_;
  std::vector<std::unique_ptr<ha_worker>> workers_;
};

// Two workers: worker-1 leading with actions under way, worker-2 waiting. Throws
// std::runtime_error when they do not get there.
struct ha_pair {
  explicit ha_pair(std::string rulebook, std::vector<std::string> extra = {},
                   pg_server* server = nullptr);
  ha_cluster c;
  ha_worker* leader = nullptr;
  ha_worker* follower = nullptr;
  std::int64_t epoch = 0;  // the leader's
  // Seconds from `fault` to the first action of a newer epoch; -1 if none within `timeout`.
  double takeover(std::chrono::system_clock::time_point fault, std::chrono::milliseconds timeout);
};

}  // namespace rb::test
