// compiler: AST → program_data. Resolves `vars.` paths and `{{ }}` in string literals from
// compile_options::vars, compiles literal regexes, checks select operators and the event/fact
// subject, and collects the metadata a matcher needs (assigned and referenced names).
// Throws rb::condition::error with a 1-based column; compile() catches it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "condition/condition.h"
#include "condition/parser.h"
#include "condition/program_data.h"

namespace rb::condition {

struct compiled {
  program_data data;
  std::optional<std::string> assigned_name;
  subject_kind subject = subject_kind::event;
  std::vector<std::string> referenced_names;
};

compiled compile_text(std::string_view text, const compile_options& options, parse_mode mode);

}  // namespace rb::condition
