// plugin_paths: where the tests find the built plugins. plugins/CMakeLists.txt writes them to
// <build>/plugins (examples) and <build>/plugins/testing (test-only); the build root is the
// directory of RB_BINARY. RB_PLUGIN_DIR in the environment overrides it.
#pragma once

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace rb::sources::so::test {

inline std::string plugin_dir() {
  if (const char* dir = std::getenv("RB_PLUGIN_DIR"); dir != nullptr && *dir != '\0') return dir;
  return (std::filesystem::path(RB_BINARY).parent_path() / "plugins").string();
}

// An example plugin, e.g. example_plugin("counter_c").
inline std::string example_plugin(std::string_view name) {
  return plugin_dir() + "/" + std::string(name) + ".so";
}

// A test-only plugin from plugins/testing, e.g. test_plugin("fault").
inline std::string test_plugin(std::string_view name) {
  return plugin_dir() + "/testing/" + std::string(name) + ".so";
}

// Lifecycle counters of the fault plugin (inits, destroys, opens, closes, next_batch calls).
// The test keeps its own reference to the library so the counters survive every source.
enum class fault_counter { inits = 0, destroys, opens, closes, next_batch_calls };

inline int fault_count(fault_counter which) {
  static void* handle = dlopen(test_plugin("fault").c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) throw std::runtime_error("cannot dlopen the fault plugin");
  using fn = int (*)(int);
  static fn counter = reinterpret_cast<fn>(dlsym(handle, "rbtest_counter"));
  return counter(static_cast<int>(which));
}

}  // namespace rb::sources::so::test
