#include "actions/audit_log.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "core/event_meta.h"
#include "core/json_text.h"
#include "core/last_words.h"
#include "core/uuid.h"

namespace rb::actions {

namespace {

// Written at once past this size, whatever the loop turn: bounds memory under a burst.
constexpr std::size_t flush_threshold = 1 << 20;
// Kept for a retry while the file cannot be written (disk full); beyond this, dropped and logged.
constexpr std::size_t retry_limit = 64 << 20;
constexpr std::size_t writeback_every = 8 << 20;

// `,"key":"text"`; `prefix` is the `,"key":` part, written as a literal.
void member(std::string& out, std::string_view prefix, std::string_view text) {
  out.append(prefix);
  append_json_string(out, text);
}

}  // namespace

audit_log::audit_log(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw std::runtime_error("cannot open audit log '" + path + "': " + std::strerror(errno));
  buf_.reserve(flush_threshold + 4096);
  last_words_ = std::make_unique<last_words>([this] {
    // Another thread, the loop thread stuck elsewhere: never wait long for the lock.
    for (int i = 0; i < 100; ++i) {
      if (mutex_.try_lock()) {
        flush_locked();
        mutex_.unlock();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
}

audit_log::~audit_log() {
  last_words_.reset();
  sync();
  ::close(fd_);
}

std::string audit_log::rule_fields(std::string_view ruleset, std::string_view ruleset_uuid,
                                   std::string_view rule, std::string_view rule_uuid) {
  std::string out;
  member(out, R"(,"ruleset":)", ruleset);
  member(out, R"(,"ruleset_uuid":)", ruleset_uuid);
  member(out, R"(,"rule":)", rule);
  member(out, R"(,"rule_uuid":)", rule_uuid);
  return out;
}

void audit_log::append(const action_record& r) noexcept {
  try {
    std::lock_guard lock(mutex_);
    std::string& out = buf_;
    out += R"({"type":"Action")";
    member(out, R"(,"action":)", r.action);
    char uuid[36];
    uuid4_into(uuid);
    member(out, R"(,"action_uuid":)", std::string_view(uuid, sizeof uuid));
    if (!r.rule_fields.empty()) {
      out += r.rule_fields;
    } else {
      out += rule_fields(r.ruleset, r.ruleset_uuid, r.rule, r.rule_uuid);
    }
    member(out, R"(,"rule_run_at":)", r.rule_run_at);
    member(out, R"(,"activation_id":)", r.activation_id);
    member(out, R"(,"activation_instance_id":)", r.activation_id);
    member(out, R"(,"run_at":)", r.run_at);
    member(out, R"(,"status":)", r.ok ? "successful" : "failed");
    out += R"(,"matching_events":)";
    if (!r.raw_events.empty()) {
      out.push_back('{');
      for (std::size_t i = 0; i < r.raw_events.size(); ++i) {
        const auto& e = r.raw_events[i];
        if (i) out.push_back(',');
        append_json_string(out, e.name);
        out.push_back(':');
        append_event_json(out, *e.event, e.meta);
      }
      out.push_back('}');
    } else if (r.event) {
      out += R"({"m":)";
      append_json(out, *r.event);
      out.push_back('}');
    } else if (r.events) {
      append_json(out, *r.events);
    } else {
      out += "{}";
    }
    if (!r.ok) member(out, R"(,"message":)", r.message);
    if (r.worker_id) {
      member(out, R"(,"worker_id":)", *r.worker_id);
      out += R"(,"ha_epoch":)";
      out += std::to_string(r.ha_epoch);
    }
    out += "}\n";
  } catch (const std::exception& e) {
    spdlog::error("cannot build the audit record of rule '{}': {}", r.rule, e.what());
    return;
  }
  appended();
}

void audit_log::append(const value& record) noexcept {
  try {
    std::lock_guard lock(mutex_);
    append_json(buf_, record);
    buf_.push_back('\n');
  } catch (const std::exception& e) {
    spdlog::error("cannot build an audit record: {}", e.what());
    return;
  }
  appended();
}

void audit_log::appended() noexcept {
  bool schedule = false;
  {
    std::lock_guard lock(mutex_);
    if (buf_.size() >= flush_threshold) {
      flush_locked();
    } else if (!buf_.empty() && !flush_scheduled_ && on_pending_) {
      flush_scheduled_ = schedule = true;
    }
  }
  if (schedule) on_pending_();
}

bool audit_log::flush() noexcept {
  std::lock_guard lock(mutex_);
  return flush_locked();
}

bool audit_log::flush_locked() noexcept {
  flush_scheduled_ = false;
  std::size_t done = 0;
  while (done < buf_.size()) {
    const ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
    if (n >= 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    const int err = errno;
    buf_.erase(0, done);
    if (!failing_) spdlog::error("cannot write to audit log '{}': {}", path_, std::strerror(err));
    failing_ = true;
    if (buf_.size() > retry_limit) {
      spdlog::error("audit log '{}': {} bytes of records dropped after failed writes", path_,
                    buf_.size());
      buf_.clear();
    }
    return false;
  }
  buf_.clear();
  // Start the disk writing every few MiB (without waiting for it): a power loss then loses
  // seconds of records at most, and the fsync at exit has little left to wait for.
  unsynced_ += done;
  if (unsynced_ >= writeback_every) {
    ::sync_file_range(fd_, 0, 0, SYNC_FILE_RANGE_WRITE);
    unsynced_ = 0;
  }
  if (failing_) spdlog::info("audit log '{}' is written again", path_);
  failing_ = false;
  return true;
}

bool audit_log::sync() noexcept {
  std::lock_guard lock(mutex_);
  const bool written = flush_locked();
  // /dev/null and pipes cannot be synced, and need not be.
  if (::fsync(fd_) != 0 && errno != EINVAL && errno != EROFS) {
    spdlog::error("cannot sync audit log '{}': {}", path_, std::strerror(errno));
    return false;
  }
  return written;
}

}  // namespace rb::actions
