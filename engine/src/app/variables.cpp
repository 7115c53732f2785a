#include "app/variables.h"

#include <cstdlib>

#include "rulebook/loader.h"

namespace rb::app {

value load_variables(const cli_options& options) {
  value vars = value::object();
  if (!options.vars_file.empty()) {
    try {
      vars = rulebook::load_vars_file(options.vars_file);
    } catch (const std::exception& e) {
      throw variables_error(std::string("--vars: ") + e.what(), false);
    }
  }
  for (const auto& name : options.env_vars) {
    if (name.empty()) continue;
    const char* v = std::getenv(name.c_str());
    if (!v)
      throw variables_error("--env-vars: environment variable '" + name + "' is not set", true);
    vars[name] = std::string(v);
  }
  return vars;
}

}  // namespace rb::app
