#include "app/plugin_factory.h"

#include "sources/builtin/builtin.h"
#include "sources/so/so_host.h"

namespace rb::app {

made_source make_source(const rulebook::source_spec& spec, const value& args,
                        sources::source_env env, const plugin_options& options) {
  if (!sources::builtin_name(spec.plugin).empty()) {
    return {sources::make_builtin(spec.plugin, args, std::move(env)), "builtin", {}};
  }
  if (std::string path = sources::lua::find_source(spec.plugin, options.source_dirs);
      !path.empty()) {
    auto src = sources::lua::make_source(path, args, std::move(env), options.lua);
    return {std::move(src), "lua", std::move(path)};
  }
  if (std::string path = sources::so::find_plugin(spec.plugin, options.source_dirs);
      !path.empty()) {
    auto src = sources::so::make_source(path, args, std::move(env));
    return {std::move(src), "so", std::move(path)};
  }
  std::string where;
  for (const auto& d : options.source_dirs) where += "'" + d + "', ";
  where += "'" + sources::lua::shipped_dir() + "/sources'";
  throw plugin_not_found("source plugin '" + spec.plugin +
                         "' not found: not built in (range, generic), no " + spec.plugin +
                         ".lua or " + spec.plugin + ".so in " + where);
}

std::unique_ptr<filters::event_filter> make_filter(const rulebook::filter_spec& spec,
                                                   const plugin_options& options) {
  if (!filters::builtin_filter_name(spec.name).empty()) {
    return filters::make_builtin_filter(spec.name, spec.args);
  }
  if (std::string path = sources::lua::find_filter(spec.name, options.filter_dirs);
      !path.empty()) {
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
