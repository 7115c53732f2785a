// engine: the running rulebook. Built from a loaded model (building compiles every condition,
// creates every source and action, and throws startup_error with positioned messages when any of
// them is wrong), then run() drives the single event loop until the work is done:
//   sources → meta → ruleset queue (bounded, back-pressure) → matcher → actions → audit log.
// run() returns the process exit code: 0 when all sources ended (or a graceful stop), 1 when a
// source failed.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "app/cli.h"
#include "core/value.h"
#include "rulebook/model.h"

namespace rb::app {

struct startup_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class engine {
 public:
  engine(const cli_options& options, const rulebook::rulebook_model& model, value vars);
  ~engine();
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  int run();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace rb::app
