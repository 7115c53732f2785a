// plugin_factory: turns a rulebook's source and filter entries into running objects, choosing
// where each plugin comes from. One place holds the lookup order (docs/sources.md):
//   sources: built-in (range, generic, ... also as eda.builtin.X / ansible.eda.X), then
//            `<name>.lua` in each -S directory and the shipped lua/sources, then `<name>.so` in
//            each -S directory;
//   filters: built-in, then `<name>.lua` in each -F directory and the shipped lua/filters.
// Both throw plugin_not_found when nothing has the name, and the plugin's own error (source_error,
// filter_error) when it refuses its arguments. Load time only.
// A source entry with `restart: on-failure` is wrapped in a restarting_source that creates the
// plugin again from the same file after a failure (sources/restarting_source.h).
#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "filters/filter.h"
#include "rulebook/model.h"
#include "sources/lua/lua_host.h"
#include "sources/source.h"

namespace rb::app {

struct plugin_not_found : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct plugin_options {
  std::vector<std::string> source_dirs;  // -S
  std::vector<std::string> filter_dirs;  // -F
  sources::lua::lua_options lua;
  // First back-off of `restart: on-failure` (doubling up to restart_max_delay); tests shorten it.
  std::chrono::milliseconds restart_base_delay = std::chrono::seconds(1);
  std::chrono::milliseconds restart_max_delay = std::chrono::seconds(30);
};

// Where the source's plugin comes from: "builtin", "lua" or "so" (for logs and meta).
struct made_source {
  std::unique_ptr<sources::source> source;
  std::string origin;
  std::string path;  // the file, for lua and so
};

made_source make_source(const rulebook::source_spec& spec, const value& args,
                        sources::source_env env, const plugin_options& options);

std::unique_ptr<filters::event_filter> make_filter(const rulebook::filter_spec& spec,
                                                   const plugin_options& options);

}  // namespace rb::app
