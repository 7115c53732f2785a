// loader: YAML rulebook file → rulebook_model, with every problem reported at file:line:column.
// Loading never throws to the caller: it returns a result carrying errors and warnings.
#pragma once

#include <string>
#include <vector>

#include "core/value.h"
#include "rulebook/model.h"

namespace rb::rulebook {

struct diagnostic {
  position pos;
  std::string message;
};

std::string to_string(const diagnostic& d);  // "file:line:column: message"

struct load_result {
  rulebook_model model;
  std::vector<diagnostic> errors;
  std::vector<diagnostic> warnings;
  bool ok() const { return errors.empty(); }
};

// `vars` are the variables from --vars/--env-vars; `{{ name }}` inside source and filter args is
// rendered with them at load time (a missing variable is an error naming it).
load_result load_file(const std::string& path, const value& vars);
load_result load_text(const std::string& text, const std::string& display_name, const value& vars);

// Parses an ansible-rulebook duration: an int (seconds) or "<n> second(s)|minute(s)|hour(s)|day(s)"
// (also "milliseconds"); false when the text is not one.
bool parse_duration(const value& v, std::chrono::milliseconds& out);

}  // namespace rb::rulebook

namespace rb::rulebook {

// Reads a --vars file (YAML or JSON; YAML types kept) into an object. Throws std::runtime_error
// with "file:line:column: message" when it cannot be read or is not a mapping.
value load_vars_file(const std::string& path);

}  // namespace rb::rulebook

namespace rb::rulebook {

// Reads any YAML or JSON data file (e.g. the generic source's payload_file) into a value, keeping
// YAML types. Throws std::runtime_error with "file:line:column: message" on failure.
value load_data_file(const std::string& path);

}  // namespace rb::rulebook
