#include "actions/dispatcher.h"

#include <boost/asio/post.hpp>

namespace rb::actions {

struct dispatcher::active {
  std::unique_ptr<job> j;
  std::size_t lane = 0;
  std::size_t owned_index = 0;  // position in jobs_owned_
  std::size_t step = 0;
  enum class phase { prepare, lock, slot, running } ph = phase::prepare;
  std::string lock;  // the lock the current step wants or holds
  bool holds_lock = false;
  bool has_slot = false;
  bool dead = false;  // cancelled: nothing more runs
  // A completion that arrived while start() was on the stack.
  bool inline_done = false;
  action_result inline_result;
  // Shared with the current step's completion: false once it completed or was cancelled.
  std::shared_ptr<bool> armed;
  cancel_slot cancel;
};

dispatcher::dispatcher(boost::asio::io_context& io, std::size_t max_concurrent)
    : io_(io), max_concurrent_(max_concurrent == 0 ? 1 : max_concurrent) {}

dispatcher::~dispatcher() {
  *alive_ = false;
  cancel_all();
}

std::size_t dispatcher::add_lane(bool parallel) {
  lanes_.push_back({});
  lanes_.back().parallel = parallel;
  return lanes_.size() - 1;
}

void dispatcher::submit(std::size_t lane, std::unique_ptr<job> j) {
  auto owned = std::make_unique<active>();
  active* a = owned.get();
  a->j = std::move(j);
  a->lane = lane;
  a->owned_index = jobs_owned_.size();
  jobs_owned_.push_back(std::move(owned));
  ++jobs_;
  lane_state& l = lanes_[lane];
  ++l.pending;
  if (!l.parallel && l.started > 0) {
    l.waiting.push_back(a);
  } else {
    start_job(a);
  }
  pump();
}

void dispatcher::start_job(active* a) noexcept {
  ++lanes_[a->lane].started;
  runnable_.push_back(a);
}

void dispatcher::schedule_pump() noexcept {
  if (pump_posted_) return;
  pump_posted_ = true;
  boost::asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_)] {
    if (alive.expired() || !*alive.lock()) return;
    pump_posted_ = false;
    pump();
  });
}

void dispatcher::pump() noexcept {
  if (pumping_) return;
  pumping_ = true;
  std::size_t budget = pump_budget;
  while (!runnable_.empty()) {
    if (budget-- == 0) {
      schedule_pump();
      break;
    }
    active* a = runnable_.front();
    runnable_.pop_front();
    if (!a->dead) advance(a);
  }
  pumping_ = false;
  graveyard_.clear();
}

void dispatcher::advance(active* a) noexcept {
  for (;;) {
    if (a->step >= a->j->size()) {
      finish_job(a);
      return;
    }
    switch (a->ph) {
      case active::phase::prepare: {
        auto prepared = a->j->prepare(a->step);
        if (auto* failed = std::get_if<action_result>(&prepared)) {
          a->j->finish(a->step, std::move(*failed));
          ++a->step;
          continue;
        }
        a->lock = std::move(std::get<job::step>(prepared).lock);
        a->ph = active::phase::lock;
        [[fallthrough]];
      }
      case active::phase::lock:
        if (!a->lock.empty() && !a->holds_lock) {
          lock_state& ls = locks_[a->lock];
          if (ls.held) {
            ls.waiters.push_back(a);
            return;
          }
          ls.held = true;
          a->holds_lock = true;
        }
        a->ph = active::phase::slot;
        [[fallthrough]];
      case active::phase::slot:
        if (!take_slot(a)) {
          slot_waiters_.push_back(a);
          return;
        }
        a->ph = active::phase::running;
        [[fallthrough]];
      case active::phase::running:
        run_step(a);
        if (!a->inline_done) return;  // completes later; the completion requeues the job
        a->inline_done = false;
        a->j->finish(a->step, std::move(a->inline_result));
        if (a->dead) return;  // cancelled by its own action (shutdown now)
        release(a);
        ++a->step;
        a->ph = active::phase::prepare;
        continue;
    }
  }
}

bool dispatcher::take_slot(active* a) noexcept {
  if (a->has_slot) return true;
  if (running_ >= max_concurrent_) return false;
  ++running_;
  a->has_slot = true;
  return true;
}

void dispatcher::run_step(active* a) noexcept {
  active* const outer = in_start_;
  in_start_ = a;
  a->inline_done = false;
  a->armed = std::make_shared<bool>(true);
  a->cancel.handler = nullptr;
  a->cancel.report = nullptr;
  completion done = [this, a, armed = a->armed,
                     alive = std::weak_ptr<bool>(alive_)](action_result r) {
    if (!*armed) return;
    *armed = false;
    if (alive.expired() || !*alive.lock()) return;
    if (in_start_ == a) {
      a->inline_result = std::move(r);
      a->inline_done = true;
      return;
    }
    complete_step(a, std::move(r));
    pump();
  };
  if (may_start && !may_start(*a->j, a->step)) {
    action_result refused;
    refused.ok = false;
    refused.not_run = true;
    refused.error = "not run: this worker is not the trusted HA leader";
    done(std::move(refused));
  } else {
    a->j->start(a->step, std::move(done), a->cancel);
  }
  in_start_ = outer;
  // Cancelled from inside its own start() but completing later: that completion must not touch
  // the job, which the pump frees.
  if (a->dead && !a->inline_done) *a->armed = false;
}

void dispatcher::complete_step(active* a, action_result&& r) noexcept {
  a->j->finish(a->step, std::move(r));
  if (a->dead) return;
  release(a);
  ++a->step;
  a->ph = active::phase::prepare;
  runnable_.push_back(a);
}

void dispatcher::release(active* a) noexcept {
  if (a->has_slot) {
    a->has_slot = false;
    if (!slot_waiters_.empty()) {
      active* w = slot_waiters_.front();  // the slot passes on: running_ stays the same
      slot_waiters_.pop_front();
      w->has_slot = true;
      runnable_.push_back(w);
    } else {
      --running_;
    }
  }
  if (a->holds_lock) {
    a->holds_lock = false;
    auto it = locks_.find(a->lock);
    if (it != locks_.end()) {
      if (it->second.waiters.empty()) {
        locks_.erase(it);
      } else {
        active* w = it->second.waiters.front();
        it->second.waiters.pop_front();
        w->holds_lock = true;  // the lock passes on, still held
        runnable_.push_back(w);
      }
    }
  }
  a->lock.clear();
}

void dispatcher::finish_job(active* a) noexcept {
  const std::size_t lane = a->lane;
  lane_state& l = lanes_[lane];
  --l.started;
  --l.pending;
  --jobs_;
  if (!l.waiting.empty()) {
    active* next = l.waiting.front();
    l.waiting.pop_front();
    start_job(next);
  }
  bury(a);
  if (on_job_done) on_job_done(lane);
}

void dispatcher::bury(active* a) noexcept {
  const std::size_t i = a->owned_index;
  graveyard_.push_back(std::move(jobs_owned_[i]));
  if (i + 1 != jobs_owned_.size()) {
    jobs_owned_[i] = std::move(jobs_owned_.back());
    jobs_owned_[i]->owned_index = i;
  }
  jobs_owned_.pop_back();
  if (!pumping_) graveyard_.clear();
}

void dispatcher::cancel_all() noexcept {
  for (auto& owned : jobs_owned_) {
    active* a = owned.get();
    a->dead = true;
    // The step whose start() is on the stack may still complete (its record is written); any
    // other running step is cancelled and its completion ignored.
    if (a->ph == active::phase::running && a->armed && *a->armed && a != in_start_) {
      *a->armed = false;
      if (a->cancel.report) {
        auto report = std::move(a->cancel.report);
        a->cancel.handler = nullptr;
        a->j->finish(a->step, report());
      } else if (a->cancel.handler) {
        auto handler = std::move(a->cancel.handler);
        handler();
      }
    }
    graveyard_.push_back(std::move(owned));
  }
  jobs_owned_.clear();
  runnable_.clear();
  slot_waiters_.clear();
  locks_.clear();
  for (auto& l : lanes_) l = lane_state{l.parallel, 0, {}, 0};
  running_ = 0;
  jobs_ = 0;
  if (!pumping_) graveyard_.clear();
}

}  // namespace rb::actions
