#include "sources/lua/lua_host.h"

#include <filesystem>

#include "sources/lua/lua_filter.h"
#include "sources/lua/lua_source.h"

namespace rb::sources::lua {

namespace {

namespace fs = std::filesystem;

// A name may be dotted like a collection ("my.coll.tick") but must not walk the file system.
bool safe_name(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  if (name.find("..") != std::string_view::npos) return false;
  return name.find_first_of("/\\") == std::string_view::npos;
}

std::string find_in(std::string_view name, const std::vector<std::string>& dirs,
                    const char* shipped_sub) {
  if (!safe_name(name)) return {};
  std::vector<std::string> search(dirs);
  if (const std::string base = shipped_dir(); !base.empty())
    search.push_back(base + "/" + shipped_sub);
  std::vector<std::string> names{std::string(name)};
  if (const auto dot = name.rfind('.'); dot != std::string_view::npos)
    names.emplace_back(name.substr(dot + 1));
  for (const auto& n : names) {
    for (const auto& dir : search) {
      if (dir.empty()) continue;
      fs::path p = fs::path(dir) / (n + ".lua");
      std::error_code ec;
      if (fs::is_regular_file(p, ec)) return p.string();
    }
  }
  return {};
}

std::string stem(const std::string& path) { return fs::path(path).stem().string(); }

}  // namespace

std::string shipped_dir() {
#ifdef RB_LUA_DIR
  return RB_LUA_DIR;
#else
  return {};
#endif
}

std::string find_source(std::string_view name, const std::vector<std::string>& dirs) {
  return find_in(name, dirs, "sources");
}

std::string find_filter(std::string_view name, const std::vector<std::string>& dirs) {
  return find_in(name, dirs, "filters");
}

std::unique_ptr<source> make_source(const std::string& path, const value& args, source_env env,
                                    const lua_options& opts) {
  std::string label = env.plugin.empty() ? stem(path) : env.plugin;
  return std::make_unique<detail::lua_source>(std::move(label), path, args, std::move(env), opts);
}

std::unique_ptr<filters::event_filter> make_filter(const std::string& path, const value& args,
                                                   const lua_options& opts) {
  return std::make_unique<detail::lua_filter>(stem(path), path, args, opts);
}

}  // namespace rb::sources::lua
