// generic: replays a fixed payload of events, as ansible-rulebook's generic plugin.
//
// Order of a run (delays add up when several fall between two events):
//   startup_delay; then loop_count passes (negative: forever), each pass: loop_delay (not before
//   the first pass), shuffle if randomize, then for every payload event: repeat_count copies,
//   each followed by repeat_delay, then event_delay; then final_payload (once, if given); then
//   shutdown_after; then the source finishes.
// Each event is built as {create_index: n, "blob": "xx..", "timestamp": t} updated by the payload
// event's own keys (a payload key of the same name keeps its position but wins). n counts the
// events sent (final_payload does not advance it). Empty or null payload entries are skipped
// without their event_delay, as in ansible-rulebook. Everything is validated at construction:
// payload_file is read then, and check_env_vars is checked then.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "sources/builtin/builtin_source.h"

namespace rb::sources {

class generic_source final : public detail::builtin_source {
 public:
  // Throws source_error for bad arguments, an unreadable payload_file or a failed env check.
  generic_source(const value& args, source_env env);

 private:
  enum class phase { startup, pass_begin, events, final_event, shutdown, finished, idle };
  enum class time_format { local, iso8601, epoch };

  void step() override;
  value make_event(const value& payload_event);
  // Builds and puts one event; false when the step must return (sink full or halted).
  bool emit(const value& payload_event);

  // Configuration.
  std::vector<value> payload_;  // mappings only; skipped entries already removed
  value final_payload_;         // null or a mapping
  std::string create_index_;
  std::string blob_;
  bool timestamp_ = false;
  time_format time_format_ = time_format::local;
  bool display_ = false;
  bool randomize_ = false;
  std::int64_t loop_count_ = 1;  // negative: forever
  std::int64_t repeat_count_ = 1;
  std::chrono::nanoseconds startup_delay_{0}, event_delay_{0}, repeat_delay_{0}, loop_delay_{0},
      shutdown_after_{0};
  // A pass that sends nothing and waits for nothing: looping on it would only burn CPU.
  bool empty_passes_ = false;

  // Progress.
  phase phase_ = phase::startup;
  std::int64_t pass_ = 0;
  std::size_t item_ = 0;
  std::int64_t repeat_ = 0;
  std::int64_t index_ = 0;
  std::chrono::nanoseconds owed_{0};  // delays accumulated since the last event
  std::mt19937_64 rng_;
};

}  // namespace rb::sources
