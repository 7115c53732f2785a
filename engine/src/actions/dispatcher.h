// dispatcher: runs the actions of rule firings on the event loop, as ansible-rulebook's
// execution strategies do.
//
// - A firing's actions form one job; they always run in order, each after the previous one
//   completed (whatever the strategy).
// - Each ruleset has a lane. A sequential lane runs one job at a time, in submission order; a
//   parallel lane starts every job at once.
// - At most `max_concurrent` actions run at a time across all lanes (-m); the others wait, in
//   order, for a slot.
// - An action whose rendered arguments hold `lock: <name>` first waits until no other action
//   holds that name (FIFO), then for a slot; it releases the name when it completes. Waiting for
//   a lock holds no slot, so -m 1 cannot deadlock.
// - With may_start set, every action asks it right before it starts: leadership is checked at
//   that moment, not only at transitions.
// - An action that completes before start() returns lets its job carry on at once: a firing
//   whose actions are all synchronous runs to its end before the next job starts.
//
// Jobs are advanced by a pump that never recurses: submit() from inside an action (post_event,
// set_fact) only queues, and the running pump picks the job up. After `pump_budget` steps the
// pump posts itself, so a rulebook that keeps posting events to itself cannot starve the loop.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "actions/action.h"

namespace rb::actions {

// One firing's work, as the dispatcher sees it. Called on the loop thread only.
class job {
 public:
  virtual ~job() = default;
  virtual std::size_t size() const noexcept = 0;

  // What step `i` needs before it starts: its lock name (empty: none).
  struct step {
    std::string lock;
  };
  // Prepares step `i` (renders its arguments). A result instead of a step means the step failed
  // before it could start (the dispatcher passes it to finish()).
  virtual std::variant<step, action_result> prepare(std::size_t i) noexcept = 0;
  // Starts step `i`; `done` must be called exactly once (see action::start).
  virtual void start(std::size_t i, completion done, cancel_slot& cancel) noexcept = 0;
  // Step `i` completed (audit record, log line).
  virtual void finish(std::size_t i, action_result&& result) noexcept = 0;
  // Step `i` only observes (http_check, none): it may run while HA leadership is in doubt
  // (observe-only mode, docs/monitoring.md).
  virtual bool observes_only(std::size_t) const noexcept { return false; }
};

class dispatcher {
 public:
  static constexpr std::size_t pump_budget = 4096;

  dispatcher(boost::asio::io_context& io, std::size_t max_concurrent);
  ~dispatcher();
  dispatcher(const dispatcher&) = delete;
  dispatcher& operator=(const dispatcher&) = delete;

  // Adds a lane and returns its number.
  std::size_t add_lane(bool parallel);

  // Queues a job and runs what can run (unless a pump is already running).
  void submit(std::size_t lane, std::unique_ptr<job> j);

  // Jobs of a lane submitted and not finished.
  std::size_t pending(std::size_t lane) const noexcept { return lanes_[lane].pending; }
  // Actions started and not completed.
  std::size_t running() const noexcept { return running_; }
  bool idle() const noexcept { return jobs_ == 0; }

  // Drops every queued job and cancels every running action (their later completions are
  // ignored); an action that registered cancel_slot::report gets its record (finish()) now.
  // Safe to call from inside an action.
  void cancel_all() noexcept;

  // Called on the loop after a job of `lane` finished (back-pressure, end of the run). Not called
  // for jobs dropped by cancel_all.
  std::function<void(std::size_t lane)> on_job_done;
  // Asked right before step `i` of a job starts (HA: is this worker the trusted leader now, or
  // observing and the step only observes?). An action refused here does not run; its job gets
  // an action_result with not_run set.
  std::function<bool(const job&, std::size_t i)> may_start;

 private:
  struct active;
  struct lane_state {
    bool parallel = false;
    std::size_t started = 0;  // jobs running (between start and their last step)
    std::deque<active*> waiting;
    std::size_t pending = 0;
  };
  struct lock_state {
    bool held = false;
    std::deque<active*> waiters;
  };

  void pump() noexcept;
  void advance(active* a) noexcept;
  bool take_slot(active* a) noexcept;
  void run_step(active* a) noexcept;
  void complete_step(active* a, action_result&& r) noexcept;
  void release(active* a) noexcept;
  void finish_job(active* a) noexcept;
  void start_job(active* a) noexcept;
  void schedule_pump() noexcept;
  void bury(active* a) noexcept;

  boost::asio::io_context& io_;
  std::size_t max_concurrent_;
  std::vector<lane_state> lanes_;
  std::deque<active*> runnable_;
  std::deque<active*> slot_waiters_;
  std::unordered_map<std::string, lock_state> locks_;
  std::vector<std::unique_ptr<active>> jobs_owned_;  // every live job, any state
  std::vector<std::unique_ptr<active>> graveyard_;   // finished/cancelled, freed after the pump
  std::size_t running_ = 0;
  std::size_t jobs_ = 0;
  bool pumping_ = false;
  bool pump_posted_ = false;
  active* in_start_ = nullptr;  // the job whose start() is on the stack
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace rb::actions
