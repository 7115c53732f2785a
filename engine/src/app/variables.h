// variables: the rulebook's variables from -e/--vars (YAML or JSON file, types kept) and
// -E/--env-vars (environment variables, as strings). Environment variables win on a clash.
#pragma once

#include <stdexcept>

#include "app/cli.h"
#include "core/value.h"

namespace rb::app {

struct variables_error : std::runtime_error {
  variables_error(const std::string& what, bool usage_error)
      : std::runtime_error(what), usage(usage_error) {}
  bool usage;  // a bad flag value (exit 2) rather than a bad file (exit 1)
};

value load_variables(const cli_options& options);

}  // namespace rb::app
