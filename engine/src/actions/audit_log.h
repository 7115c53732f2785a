// audit_log: one JSON object per line per action run, in ansible-rulebook's record shape
// (type "Action", action, action_uuid, ruleset(_uuid), rule(_uuid), rule_run_at, run_at, status,
// matching_events, activation ids). Each record is flushed as written, so a crash loses none.
#pragma once

#include <cstdio>
#include <string>

#include "core/value.h"

namespace rb::actions {

class audit_log {
 public:
  // Opens `path` for appending. Throws std::runtime_error naming the path on failure.
  explicit audit_log(const std::string& path);
  ~audit_log();
  audit_log(const audit_log&) = delete;
  audit_log& operator=(const audit_log&) = delete;

  // Writes one record; false when the write failed (disk full...), which the caller logs.
  bool write(const value& record) noexcept;

 private:
  std::FILE* file_ = nullptr;
  std::string path_;
};

}  // namespace rb::actions
