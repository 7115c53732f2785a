#include "sources/so/so_host.h"

#include <filesystem>

#include "sources/so/module.h"
#include "sources/so/so_source.h"

namespace rb::sources::so {

namespace {

namespace fs = std::filesystem;

// A name may be dotted like a collection ("my.coll.counter_c") but must not walk the file system.
bool safe_name(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  if (name.find("..") != std::string_view::npos) return false;
  return name.find_first_of("/\\") == std::string_view::npos;
}

}  // namespace

std::string find_plugin(std::string_view name, const std::vector<std::string>& dirs) {
  if (!safe_name(name)) return {};
  std::vector<std::string> names{std::string(name)};
  if (const auto dot = name.rfind('.'); dot != std::string_view::npos)
    names.emplace_back(name.substr(dot + 1));
  for (const auto& n : names) {
    for (const auto& dir : dirs) {
      if (dir.empty()) continue;
      const fs::path p = fs::path(dir) / (n + ".so");
      std::error_code ec;
      if (fs::is_regular_file(p, ec)) return p.string();
    }
  }
  return {};
}

std::unique_ptr<source> make_source(const std::string& path, const value& args, source_env env) {
  return std::make_unique<so_source>(module::load(path), args, std::move(env));
}

}  // namespace rb::sources::so
