// elector: leader election for one worker of an HA group, on its own thread with one dedicated
// PostgreSQL connection.
//
// Follower: waits for the group's advisory lock (block mode: pg_advisory_lock bounded by
// lock_timeout, in a loop; poll mode: pg_try_advisory_lock every poll interval, woken early by
// the NOTIFY of a graceful release). Once it holds the lock it bumps the fencing epoch with a
// fresh random token, and only then trusts itself.
// Leader: confirms its session every confirm_interval and trusts itself until `lease` after the
// last confirmation was SENT (monotonic clock). The server drops an idle session after
// server_timeout > lease, so a frozen or cut-off leader has stopped trusting itself before the
// server frees its lock for a follower. Any error, timeout or sign that the server closed the
// session ends leadership at once; the connection is then closed, never reused, and the worker
// reconnects as a follower. It never takes the lock twice while it holds it.
//
// Callbacks run on the elector thread; the engine posts them to its loop. trusted_now() may be
// called from any thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/leadership.h"
#include "ha/pg_conn.h"
#include "ha/settings.h"

namespace rb::ha {

class elector final : public leadership {
 public:
  struct callbacks {
    std::function<void(const leadership_term&)> on_leader;
    // Leadership ended. `unreachable`: it ended because the database could not be reached (a
    // broken connection, a confirmation that timed out or failed), so the group may simply be
    // down: the engine keeps its checks running until on_standing_by (see docs/monitoring.md,
    // observe-only). False: another worker holds the epoch, or the session is not trustworthy.
    std::function<void(const std::string& reason, bool unreachable)> on_follower;
    // A working session found the lock held by another worker's session (not this worker's own
    // previous one, which the server has not dropped yet): the group has a leader elsewhere.
    std::function<void()> on_standing_by;
    // The group cannot work from here (old server, read-only server, transaction pooler): the
    // thread has ended.
    std::function<void(const std::string& error)> on_fatal;
  };

  elector(settings s, callbacks cb);
  ~elector() override;
  elector(const elector&) = delete;
  elector& operator=(const elector&) = delete;

  void start();
  // Ends the thread. `release`: a leader releases the lock, marks the term released and notifies
  // the followers so one takes over at once. Returns once the thread has ended.
  void stop(bool release = true);

  bool trusted_now() const noexcept override;
  leadership_term term() const override;
  const std::string& worker_id() const noexcept override { return settings_.worker_id; }

  const timings& times() const noexcept { return timings_; }

 private:
  void run();
  std::unique_ptr<pg_connection> open_session(std::string& error);
  std::string prepare(pg_connection& c);
  bool follow(pg_connection& c);
  bool take_term(pg_connection& c, mono::time_point& base);
  void lead(pg_connection& c, mono::time_point base);
  void release(pg_connection& c);
  void lose(const std::string& reason, bool unreachable);
  void note_holder(pg_connection& c, bool& announced);
  bool sleep_for(std::chrono::milliseconds d);
  void fatal(const std::string& error);

  settings settings_;
  callbacks cb_;
  timings timings_;
  std::int64_t lock_key_;
  std::string channel_;
  std::thread thread_;
  int stop_pipe_[2] = {-1, -1};
  std::atomic<bool> stopping_{false};
  bool failed_ = false;  // fatal(): the thread ends
  std::atomic<bool> release_on_stop_{true};
  std::atomic<mono::rep> trusted_until_{0};  // monotonic ticks; 0: not trusted
  mutable std::mutex term_mutex_;
  leadership_term term_;
  int session_pid_ = 0;
  int last_leader_pid_ = 0;  // backend of this worker's last leading session
  bool first_connect_ = true;
  bool waiting_logged_ = false;
  std::string last_connect_error_;
};

}  // namespace rb::ha
