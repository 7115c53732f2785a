#include "app/plugin_factory.h"

#include "sources/builtin/builtin.h"
#include "sources/restarting_source.h"
#include "sources/so/so_host.h"

namespace rb::app {

namespace {

// Where a source plugin was found; the lookup runs once, restarts reuse the same file.
struct located_source {
  std::string origin;  // "builtin", "lua" or "so"
  std::string path;
};

located_source locate_source(const rulebook::source_spec& spec, const plugin_options& options) {
  if (!sources::builtin_name(spec.plugin).empty()) return {"builtin", {}};
  if (std::string path = sources::lua::find_source(spec.plugin, options.source_dirs);
      !path.empty()) {
    return {"lua", std::move(path)};
  }
  if (std::string path = sources::so::find_plugin(spec.plugin, options.source_dirs);
      !path.empty()) {
    return {"so", std::move(path)};
  }
  std::string where;
  for (const auto& d : options.source_dirs) where += "'" + d + "', ";
  where += "'" + sources::lua::shipped_dir() + "/sources'";
  throw plugin_not_found("source plugin '" + spec.plugin +
                         "' not found: not built in (range, generic), no " + spec.plugin +
                         ".lua or " + spec.plugin + ".so in " + where);
}

std::unique_ptr<sources::source> create(const located_source& at, const std::string& plugin,
                                        const value& args, sources::source_env env,
                                        const sources::lua::lua_options& lua) {
  if (at.origin == "builtin") return sources::make_builtin(plugin, args, std::move(env));
  if (at.origin == "lua") return sources::lua::make_source(at.path, args, std::move(env), lua);
  return sources::so::make_source(at.path, args, std::move(env));
}

}  // namespace

made_source make_source(const rulebook::source_spec& spec, const value& args,
                        sources::source_env env, const plugin_options& options) {
  located_source at = locate_source(spec, options);
  made_source out;
  out.origin = at.origin;
  out.path = at.path;
  if (spec.restart == rulebook::restart_policy::never) {
    out.source = create(at, spec.plugin, args, std::move(env), options.lua);
    return out;
  }
  sources::restart_options restart;
  restart.max_restarts = spec.max_restarts;
  restart.base_delay = options.restart_base_delay;
  restart.max_delay = options.restart_max_delay;
  // The maker owns copies: it outlives this call and runs again after each failure.
  auto make = [at = std::move(at), plugin = spec.plugin, args,
               lua = options.lua](sources::source_env inner_env) {
    return create(at, plugin, args, std::move(inner_env), lua);
  };
  out.source = sources::make_restarting_source(std::move(make), std::move(env), restart);
  return out;
}

std::unique_ptr<filters::event_filter> make_filter(const rulebook::filter_spec& spec,
                                                   const plugin_options& options) {
  if (!filters::builtin_filter_name(spec.name).empty()) {
    return filters::make_builtin_filter(spec.name, spec.args);
  }
  if (std::string path = sources::lua::find_filter(spec.name, options.filter_dirs); !path.empty()) {
    return sources::lua::make_filter(path, spec.args, options.lua);
  }
  std::string where;
  for (const auto& d : options.filter_dirs) where += "'" + d + "', ";
  where += "'" + sources::lua::shipped_dir() + "/filters'";
  throw plugin_not_found("event filter '" + spec.name +
                         "' not found: not built in (json_filter, dashes_to_underscores, "
                         "normalize_keys, insert_hosts_to_meta, event_splitter, noop), no " +
                         spec.name + ".lua in " + where);
}

}  // namespace rb::app
