// builtin: the sources shipped inside the binary (`range`, `generic`, `url_check`, `monitors`,
// `webhook`, `alertmanager`), each also reachable as `eda.builtin.X` and `ansible.eda.X`.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "sources/source.h"

namespace rb::sources {

// The short name ("range") for any accepted spelling, or "" when `plugin` is not built in.
std::string builtin_name(std::string_view plugin);

// Creates a built-in source. Throws source_error for bad arguments (naming the argument).
std::unique_ptr<source> make_builtin(std::string_view plugin, const value& args, source_env env);

}  // namespace rb::sources
