// lua_test_util: writes Lua files to a scratch directory and drives a Lua source with the
// recording sink of the built-in source tests; captures log lines.
#pragma once

#include <doctest/doctest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sources/lua/lua_host.h"
#include "unit/sources/source_harness.h"

namespace rb::sources::lua::test {

namespace fs = std::filesystem;

// A scratch directory per test process.
inline fs::path scratch() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("rb_lua_test_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

// Writes `code` to <scratch>/<name>.lua and returns the path.
inline std::string write_lua(const std::string& name, const std::string& code) {
  const fs::path p = scratch() / (name + ".lua");
  std::ofstream(p, std::ios::binary) << code;
  return p.string();
}

inline lua_options quick_options() {
  lua_options o;
  o.watchdog = std::chrono::milliseconds(200);
  o.watchdog_grace = std::chrono::seconds(5);
  return o;
}

struct lua_harness : sources::test::harness {
  explicit lua_harness(std::size_t capacity = 1u << 30) : harness(capacity) {}

  source_env env_named(const std::string& plugin) {
    source_env e = env();
    e.plugin = plugin;
    if (signals) e.signals = signals.get();
    return e;
  }
  // Creates the source from `code` (written as <plugin>.lua); throws what make_source throws.
  lua_harness& load(const std::string& plugin, const std::string& code, const value& args = {},
                    const lua_options& opts = quick_options()) {
    path = write_lua(plugin, code);
    src = make_source(path, args, env_named(plugin), opts);
    return *this;
  }
  lua_harness& run_code(const std::string& plugin, const std::string& code, const value& args = {},
                        const lua_options& opts = quick_options()) {
    load(plugin, code, args, opts);
    start();
    io.run();
    return *this;
  }
  std::unique_ptr<ha_signals> signals;
  std::string path;
};

// Equality regardless of key order: a Lua table has no insertion order, so objects made in Lua
// come out in the table's iteration order.
inline bool same(const value& a, const value& b) {
  return nlohmann::json::parse(a.dump()) == nlohmann::json::parse(b.dump());
}

// The message of the source_error thrown while loading `code`, or "" if none.
inline std::string load_error(const std::string& plugin, const std::string& code,
                              const lua_options& opts = quick_options()) {
  lua_harness h;
  try {
    h.load(plugin, code, {}, opts);
  } catch (const source_error& e) {
    return e.what();
  }
  return "";
}

// Captures log lines while alive (the default logger is swapped and restored).
struct log_capture {
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink =
      std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256);
  std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  log_capture() {
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_level(spdlog::level::trace);
    logger->set_pattern("%l %v");
    spdlog::set_default_logger(logger);
  }
  ~log_capture() { spdlog::set_default_logger(previous); }
  std::string text() const {
    std::string all;
    for (const auto& l : sink->last_formatted()) all += l;
    return all;
  }
};

}  // namespace rb::sources::lua::test
