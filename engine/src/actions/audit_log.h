// audit_log: one JSON object per line per action run, in ansible-rulebook's record shape
// (type "Action", action, action_uuid, ruleset(_uuid), rule(_uuid), rule_run_at, run_at, status,
// matching_events, activation ids).
//
// Records are serialized straight into a buffer; flush() writes the buffer with one write(2).
// The owner calls flush() once per loop turn (on_pending tells it when there is something to
// write) and sync() (flush + fsync) at a graceful exit. What survives:
// - kill -9: every record of the loop turns that completed (at most the current turn is lost);
// - a Lua watchdog exit: everything (the buffer is written out as the last words);
// - power loss: what the kernel had written back (writeback is started every 8 MiB; fsync at a
//   graceful exit).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "core/value.h"
#include "match/firing.h"

namespace rb {
class last_words;
}

namespace rb::actions {

class audit_log {
 public:
  // What one action run reports; strings are borrowed for the call.
  struct action_record {
    std::string_view action, ruleset, ruleset_uuid, rule, rule_uuid, rule_run_at, activation_id,
        run_at;
    // rule_fields() of ruleset, ruleset_uuid, rule and rule_uuid, made once per rule; when empty,
    // they are written from the fields above.
    std::string_view rule_fields;
    bool ok = true;
    std::string_view message;  // when !ok
    // matching_events: {"m": *event} for a single event, else *events (an object), else {}.
    const value* event = nullptr;
    const value* events = nullptr;
    // Or the firing's events as the matcher gave them, meta possibly pending ({"m": ...} when
    // there is one named `m`, else {name: event, ...}).
    std::span<const match::named_event> raw_events;
    const std::string* worker_id = nullptr;  // HA: worker_id and ha_epoch
    std::int64_t ha_epoch = 0;
  };

  // Opens `path` for appending. Throws std::runtime_error naming the path on failure.
  explicit audit_log(const std::string& path);
  ~audit_log();  // sync()
  audit_log(const audit_log&) = delete;
  audit_log& operator=(const audit_log&) = delete;

  // Called when the buffer goes from empty to holding a record: the owner schedules flush().
  void on_pending(std::function<void()> schedule) { on_pending_ = std::move(schedule); }

  void append(const action_record& r) noexcept;
  // The record text of a rule's constant fields, for action_record::rule_fields.
  static std::string rule_fields(std::string_view ruleset, std::string_view ruleset_uuid,
                                 std::string_view rule, std::string_view rule_uuid);
  // Any other record, as given.
  void append(const value& record) noexcept;

  // Writes what is buffered. False (and one error log per failing streak) when the write fails;
  // the records stay buffered for the next flush, up to a bound.
  bool flush() noexcept;
  // flush() and fsync: what was appended is on disk.
  bool sync() noexcept;

 private:
  void appended() noexcept;
  bool flush_locked() noexcept;

  int fd_ = -1;
  std::string path_;
  std::mutex mutex_;  // the loop thread vs last words from the watchdog thread
  std::string buf_;
  std::function<void()> on_pending_;
  bool failing_ = false;
  bool flush_scheduled_ = false;
  std::size_t unsynced_ = 0;  // bytes written since the last writeback was started
  std::unique_ptr<last_words> last_words_;
};

}  // namespace rb::actions
