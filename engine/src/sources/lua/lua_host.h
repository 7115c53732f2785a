// lua_host: Lua (LuaJIT) source and filter plugins. The only header of sources/lua the engine
// includes; LuaJIT stays behind it.
//
// Contract:
// - find_source / find_filter look `<name>.lua` up in `dirs` (in order), then in the shipped
//   lua/sources or lua/filters directory; a dotted name ("my.coll.tick") is tried whole first,
//   then by its last component. They return "" when nothing is found.
// - make_source / make_filter load and compile the file in a fresh, sandboxed lua_State and throw
//   source_error / filter_error (naming the plugin, the file and the line) for a syntax error, a
//   bad option or a state that cannot be created. They never throw afterwards: a running source
//   reports through source_env::done, a filter through filter_result.
// - Nothing of a source runs before start(). A filter's file runs once, inside make_filter.
// - Every source and filter owns its lua_State: nothing is shared, so a failed plugin can be
//   created again from the same path.
// docs/plugins-lua.md is the user-facing description (API, sandbox, limits, watchdog findings).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/value.h"
#include "filters/filter.h"
#include "sources/source.h"

namespace rb::sources::lua {

struct lua_options {
  // --lua-allow: libraries opened for trusted plugins. Known: io, os, debug, ffi, jit, package.
  // `jit` also turns the JIT compiler on (off by default: see watchdog below).
  std::vector<std::string> allow;
  // --lua-memory-limit: bytes one lua_State may allocate (enforced by its allocator).
  std::size_t memory_limit = 64u << 20;
  // Longest time one resume of a source (or one filter call) may run before the count hook
  // raises an error in it.
  std::chrono::milliseconds watchdog = std::chrono::seconds(5);
  // If the call still has not returned `watchdog + watchdog_grace` after it began (code the hook
  // cannot interrupt: JIT-compiled loops, a long C call), the watchdog thread logs a critical
  // line naming the plugin and ends the process with watchdog_exit_code.
  std::chrono::milliseconds watchdog_grace = std::chrono::seconds(1);
};

// Exit status of a process ended by the watchdog (EX_SOFTWARE).
inline constexpr int watchdog_exit_code = 70;

// The shipped lua/ directory (RB_LUA_DIR), holding sources/ and filters/.
std::string shipped_dir();

std::string find_source(std::string_view name, const std::vector<std::string>& dirs);
std::unique_ptr<source> make_source(const std::string& path, const value& args, source_env env,
                                    const lua_options& opts);

std::string find_filter(std::string_view name, const std::vector<std::string>& dirs);
std::unique_ptr<filters::event_filter> make_filter(const std::string& path, const value& args,
                                                   const lua_options& opts);

}  // namespace rb::sources::lua
