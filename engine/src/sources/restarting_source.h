// restarting_source: the `restart: on-failure` policy of a source entry, as a wrapper around the
// real source (built-in, Lua or .so), which it creates again from a factory after each failure.
//
// Contract (on top of source.h's):
// - The constructor creates the first inner source through `make` and lets its source_error
//   through (a load error, as without the wrapper). Nothing runs before start().
// - The inner source ending `finished` or `stopped` ends the wrapper the same way.
// - The inner source ending `failed`: while fewer than max_restarts restarts were made, the
//   wrapper logs the error (naming the source and its plugin), waits base_delay * 2^n (n = restarts
//   made so far, capped at max_delay) on a loop timer, creates a new inner source and starts it.
//   A failure to create it (e.g. the file now has a syntax error) counts as another failure.
//   Once max_restarts restarts have been made, the next failure ends the wrapper `failed` with
//   the last error and how many restarts were tried.
// - stop() stops the running inner source (its `stopped` passes through) or, during a back-off,
//   cancels the timer and ends `stopped`. done() is called exactly once, never synchronously
//   from start() or stop().
// - Each inner source is destroyed (its Lua state or plugin state freed) soon after it failed,
//   on the loop, never inside its own callback.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "sources/source.h"

namespace rb::sources {

struct restart_options {
  int max_restarts = 5;
  std::chrono::milliseconds base_delay = std::chrono::seconds(1);
  std::chrono::milliseconds max_delay = std::chrono::seconds(30);
};

// Creates one inner source for `env` (its done is the wrapper's); throws source_error.
using source_maker = std::function<std::unique_ptr<source>(source_env env)>;

std::unique_ptr<source> make_restarting_source(source_maker make, source_env env,
                                               restart_options opts);

// The delay before restart number `restarts_made + 1`: base * 2^restarts_made, at most max_delay.
std::chrono::milliseconds restart_delay(const restart_options& opts, int restarts_made);

}  // namespace rb::sources
