// heartbeat: one HTTP check's result as it is stored, and the interface through which actions
// hand heartbeats to a store without knowing which one (store/ implements it, app wires it in).
//
// The store promises: at most one row per (datacenter, monitor_name, scheduled_at), so a replay or
// a retry is harmless and two locations checking one monitor keep a row each; nothing submitted is
// lost while the database is away (an fsync'd spool on disk, replayed in order, also by the next
// run); with HA, a heartbeat is kept only if its check started while its worker held the epoch it
// carries (a stale leader's late writes are refused).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/status_summary.h"

namespace rb {

struct heartbeat {
  std::optional<std::int64_t> monitor_id;  // null for monitors given in a rulebook's args
  std::string monitor_name;
  std::string url;  // for logs; not a column
  std::string worker_id;
  std::string datacenter;            // the check's location ("" = none); part of the unique key
  std::string region;                // "" = null
  std::int64_t scheduled_at_us = 0;  // the slot (µs since the epoch, UTC); the unique key's half
  std::int64_t started_at_us = 0;    // when the check began (wall clock)
  bool success = false;
  std::optional<int> status_code;  // null when no response came
  double dns_ms = 0, connect_ms = 0, tls_ms = 0, ttfb_ms = 0, transfer_ms = 0, total_ms = 0;
  std::int64_t response_bytes = 0;
  std::optional<std::int64_t> cert_expires_at;  // seconds since the epoch; null: no TLS
  std::string failed_conditions = "[]";         // JSON list of {"condition","expected","actual"}
  std::string error;                            // "" = null
  std::optional<std::int64_t> ha_epoch;         // the epoch the check started in; null without HA
};

struct heartbeat_stats {
  std::uint64_t written = 0;     // rows committed
  std::uint64_t duplicates = 0;  // rows the unique key already had (replays, retries)
  std::uint64_t rejected = 0;    // refused by the fence (a stale leader's checks)
  std::uint64_t spooled = 0;     // heartbeats sitting in the spool now
  std::uint64_t spool_bytes = 0;
  std::uint64_t dropped = 0;  // lost because the spool was full (logged)
};

// Per monitor_name of one datacenter, the failed heartbeats after its last success (by
// scheduled_at, within the last 24 h or the retention if shorter). A monitor whose last heartbeat
// succeeded is absent; other datacenters' rows never count.
struct failure_streaks {
  std::string error;  // "" = the store answered; else why not (the map is then empty)
  std::unordered_map<std::string, int> failures;
};

class heartbeat_sink {
 public:
  virtual ~heartbeat_sink() = default;
  // Called on the event loop; never blocks (the heartbeat is queued for the writer thread).
  virtual void submit(heartbeat hb) = 0;
  virtual heartbeat_stats stats() const = 0;
  // The failure streaks of `datacenter` ("" = checks without a location) as of every heartbeat
  // submitted before this call (the writer answers after those rows, spool included). Never
  // blocks: `done` runs once on the store's thread (post to your loop), with an error when the
  // database cannot answer within the store's timeout; not at all if the store stops first.
  virtual void request_failure_streaks(const std::string& datacenter,
                                       std::function<void(failure_streaks)> done) = 0;
  // The status page's summary of the last 7 days of heartbeats in the database (the spool and the
  // queue are not waited for: a page may lag a batch). Never blocks: `done` runs once on the
  // store's thread, with an error when the database cannot answer; not at all if the store stops.
  virtual void request_status_summary(std::function<void(status_summary)> done) = 0;
};

}  // namespace rb
