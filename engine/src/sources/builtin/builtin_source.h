// builtin_source: the loop plumbing shared by the built-in sources.
//
// A derived source implements step(): produce events until it must wait, then schedule exactly
// one continuation (wait_then_step, when_ready_then_step, yield_then_step) or call finish().
// This base guarantees the source contract: start() and stop() never call done() synchronously,
// done() is called exactly once, stop() cancels any pending delay at once, and continuations
// that arrive after stop() or after the source is destroyed do nothing.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "sources/source.h"

namespace rb::sources::detail {

class builtin_source : public source {
 public:
  ~builtin_source() override;
  void start() final;
  void stop() final;

 protected:
  // Throws source_error when env lacks the loop or the sink (a wiring bug, caught at load).
  builtin_source(std::string_view kind, source_env env);

  // Produces until it has to wait; called on the loop, never after stop() or finish().
  virtual void step() = 0;
  // Called once by stop(), before the source ends: release what must go at once (a port).
  virtual void on_stop() {}

  void wait_then_step(std::chrono::nanoseconds delay);
  // Brings a pending wait_then_step() forward so that it ends no later than `delay` from now
  // (for news arriving from outside the step chain, e.g. a reload). Returns false, changing
  // nothing, when no such wait is pending (step() is running, queued or waiting for the sink).
  bool advance_wait(std::chrono::nanoseconds delay);
  void when_ready_then_step();
  // Lets other handlers on the loop run before producing more (fairness without a timer).
  void yield_then_step();
  void finish(source_end end, std::string error = {});

  // True once stop() was called or the source finished: step() must return without producing.
  bool halted() const { return stopping_ || ended_; }
  event_sink& sink() { return *env_.sink; }
  // For callbacks the base does not schedule (an HTTP response): expired once the source is gone.
  std::weak_ptr<char> alive_token() const { return alive_; }
  const source_env& env() const { return env_; }

 private:
  source_env env_;
  boost::asio::steady_timer timer_;
  void arm_timer();
  // The wait_then_step() in progress, if any; generations tell a cancelled wait from a current one.
  bool waiting_ = false;
  unsigned wait_generation_ = 0;
  // Continuations hold a weak reference: once the source is gone they must not touch it.
  std::shared_ptr<char> alive_ = std::make_shared<char>();
  bool started_ = false;
  bool stopping_ = false;
  bool ended_ = false;
};

// Events per uninterrupted batch before a source yields to the loop.
inline constexpr int batch_size = 1024;

}  // namespace rb::sources::detail
