#include "sources/builtin/builtin_source.h"

#include <boost/asio/post.hpp>

namespace rb::sources::detail {

namespace {

source_env checked(std::string_view kind, source_env env) {
  if (env.io == nullptr || env.sink == nullptr)
    throw source_error(std::string(kind) + ": internal error: source created without loop or sink");
  return env;
}

}  // namespace

builtin_source::builtin_source(std::string_view kind, source_env env)
    : env_(checked(kind, std::move(env))), timer_(*env_.io) {}

builtin_source::~builtin_source() = default;

void builtin_source::start() {
  if (started_ || halted()) return;
  started_ = true;
  // Posted so that start() itself never produces into the sink nor ends synchronously.
  yield_then_step();
}

void builtin_source::stop() {
  if (halted()) return;
  stopping_ = true;
  timer_.cancel();
  on_stop();
  finish(source_end::stopped);
}

void builtin_source::wait_then_step(std::chrono::nanoseconds delay) {
  timer_.expires_after(delay);
  arm_timer();
}

void builtin_source::arm_timer() {
  waiting_ = true;
  timer_.async_wait([this, alive = std::weak_ptr<char>(alive_),
                     generation = ++wait_generation_](const boost::system::error_code& ec) {
    if (alive.expired()) return;
    if (generation == wait_generation_) waiting_ = false;
    if (ec || halted()) return;
    step();
  });
}

bool builtin_source::advance_wait(std::chrono::nanoseconds delay) {
  if (!waiting_ || halted()) return false;
  const auto at = std::chrono::steady_clock::now() + delay;
  if (at >= timer_.expiry()) return true;
  // Zero cancelled: the wait already ended and its step() is queued; it runs soon anyway.
  if (timer_.expires_at(at) > 0) arm_timer();
  return true;
}

void builtin_source::when_ready_then_step() {
  sink().when_ready([this, alive = std::weak_ptr<char>(alive_)] {
    if (alive.expired() || halted()) return;
    step();
  });
}

void builtin_source::yield_then_step() {
  boost::asio::post(*env_.io, [this, alive = std::weak_ptr<char>(alive_)] {
    if (alive.expired() || halted()) return;
    step();
  });
}

void builtin_source::finish(source_end end, std::string error) {
  if (ended_) return;
  ended_ = true;
  // done is moved into the handler so it still runs if the owner drops the source right after
  // stop(): the owner counts on hearing the end exactly once.
  boost::asio::post(*env_.io, [done = std::move(env_.done), end, error = std::move(error)] {
    if (done) done(end, error);
  });
}

}  // namespace rb::sources::detail
