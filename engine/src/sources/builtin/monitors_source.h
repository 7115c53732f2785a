// monitors: puts one event per monitor per interval, at that monitor's slot time:
//   {"monitor": {name, url, method, headers, body, interval, timeout, expect, ...},
//    "scheduled_at": "2026-11-28T06:49:55.000Z"}
// The monitor object carries every key it was given plus the defaults, so that an action
// (http_check) can run it. Monitors come from the `monitors` argument, or from PostgreSQL config
// tables (`datacenter_id` or `agent_id`, `dsn`, reloaded every `reload_interval` seconds) through
// the core monitor_catalog interface. docs/sources.md has the arguments and the tables.
//
// Scheduling: slots come from monitor_schedule.h (wall clock, no state), kept in one min-heap
// with one timer for the whole source. Due slots go out in batches; under back-pressure a slot is
// late but never dropped nor emitted before its time. In HA mode the source emits only while
// leader; after any loss of leadership it restarts every monitor from its next slot after now.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sources/builtin/builtin_source.h"

namespace rb::sources {

namespace monitors {

struct monitor {
  std::string name;
  value spec;  // the event's `monitor` object: defaults filled, every other key passed through
  std::int64_t interval_ms = 0;
  std::int64_t offset_ms = 0;
};

// Checks and completes one monitor object; returns the reason when it is not acceptable
// ("monitor 'x': 'interval' must be ..."). No exceptions: reloads use it on the loop.
std::string normalize(const value& in, monitor& out);

}  // namespace monitors

class monitors_source final : public detail::builtin_source {
 public:
  // Throws source_error for bad arguments.
  monitors_source(const value& args, source_env env);
  ~monitors_source() override;

 private:
  using monitor_ptr = std::shared_ptr<const monitors::monitor>;
  struct slot {
    std::int64_t due_ms;
    monitor_ptr m;
  };
  struct scheduled {
    monitor_ptr m;
    std::int64_t due_ms;  // its next slot (the heap holds one live entry with it)
  };

  void step() override;
  bool ha_mode() const { return env().signals != nullptr && env().signals->ha_mode; }
  void watch_leadership();
  void restart_from(std::int64_t now_ms);
  void push(std::int64_t due_ms, monitor_ptr m);
  std::chrono::nanoseconds wake_delay(std::int64_t now_ms) const;
  void reload();
  void on_loaded(const value& list, const std::string& error);
  void apply(std::vector<monitor_ptr> list, std::int64_t now_ms);

  std::vector<slot> heap_;  // min-heap on due_ms; entries of replaced monitors are skipped
  std::unordered_map<std::string, scheduled> current_;
  bool restart_ = true;  // on the next step: every monitor from its next slot after now
  bool watching_ = false;

  // Catalog mode.
  std::unique_ptr<monitor_catalog> catalog_;
  std::string catalog_what_;  // "datacenter 3" / "agent 7", for logs
  std::chrono::nanoseconds reload_interval_{0};
  std::chrono::steady_clock::time_point next_reload_{};
  bool loading_ = false;
  bool loaded_once_ = false;
  std::string last_error_;
};

}  // namespace rb::sources
