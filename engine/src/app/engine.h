// engine: the running rulebook. Built from a loaded model (building compiles every condition and
// action template, creates every source and action, and throws startup_error with positioned
// messages when any of them is wrong), then run() drives the single event loop until the work is
// done:
//   sources → meta → ruleset queue (bounded, back-pressure) → matcher (rules, partial matches,
//   facts, throttles, timers) → dispatcher (sequential | parallel, -m, locks) → actions → audit.
// post_event / set_fact / retract_fact go straight back into the named ruleset's matcher.
// run() returns the process exit code: 0 when all sources ended and all actions completed (or
// after a shutdown action or a signal), 1 when a source failed (a Source record is written to the
// audit log).
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "actions/action.h"
#include "app/cli.h"
#include "core/value.h"
#include "rulebook/model.h"

namespace rb::app {

struct startup_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class engine {
 public:
  // `extra` adds actions to the built-in ones (an embedding program's own, or a test's).
  engine(const cli_options& options, const rulebook::rulebook_model& model, value vars,
         actions::extra_actions extra = {});
  ~engine();
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  int run();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace rb::app
