// watchdog: the process-wide backstop for Lua calls the count hook cannot interrupt.
//
// Each lua_State enrols one slot. Around every resume/call the owner marks the slot busy (two
// atomic stores, no lock). One background thread, started on the first enrolment, scans the
// slots; a slot busy for longer than its limit ends the process (critical log naming the plugin,
// flush, std::_Exit(watchdog_exit_code)) so that in HA mode a standby takes over. The loop thread
// is then stuck in code we cannot stop, so there is nothing better to do.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace rb::sources::lua::detail {

class watch_slot {
 public:
  watch_slot(std::string label, std::chrono::nanoseconds fatal_after)
      : label_(std::move(label)), fatal_after_(fatal_after) {}

  void begin(std::chrono::steady_clock::time_point now) noexcept {
    since_ns_.store(now.time_since_epoch().count(), std::memory_order_relaxed);
  }
  void end() noexcept { since_ns_.store(0, std::memory_order_relaxed); }

  const std::string& label() const { return label_; }
  std::chrono::nanoseconds fatal_after() const { return fatal_after_; }
  // steady_clock ticks when the running call began, 0 when idle.
  std::int64_t since() const noexcept { return since_ns_.load(std::memory_order_relaxed); }

 private:
  std::string label_;
  std::chrono::nanoseconds fatal_after_;
  std::atomic<std::int64_t> since_ns_{0};
};

// Registers a slot with the watchdog thread (started on first use). The slot stays watched as
// long as the returned pointer lives.
std::shared_ptr<watch_slot> enrol(std::string label, std::chrono::nanoseconds fatal_after);

}  // namespace rb::sources::lua::detail
