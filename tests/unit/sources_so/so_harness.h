// so_harness: the sources test harness (a real io_context, a capacity-limited recording sink,
// done recorded once) driving a .so plugin source, optionally with HA signals.
#pragma once

#include <chrono>
#include <string>

#include "sources/so/so_host.h"
#include "unit/sources/source_harness.h"
#include "unit/sources_so/plugin_paths.h"

namespace rb::sources::so::test {

using namespace std::chrono_literals;

struct so_harness : rb::sources::test::harness {
  explicit so_harness(std::size_t capacity = 1u << 30) : harness(capacity) {}

  ha_signals* signals = nullptr;  // null: the source runs standalone (always the leader)

  so_harness& make_so(const std::string& path, const value& args) {
    source_env e = env();
    e.signals = signals;
    src = make_source(path, args, std::move(e));
    return *this;
  }

  // Starts and runs the loop until the source's work is done (bounded: a hang fails the test).
  so_harness& run_so(const std::string& path, const value& args) {
    make_so(path, args);
    start();
    io.run_for(10s);
    return *this;
  }

  // Runs the loop for about `d` (the source keeps running).
  void run_for(std::chrono::milliseconds d) {
    io.restart();
    io.run_for(d);
  }
};

// The message of the source_error thrown while making the source, or "" if none.
inline std::string so_make_error(const std::string& path, const value& args) {
  so_harness h;
  try {
    h.make_so(path, args);
  } catch (const source_error& e) {
    return e.what();
  }
  return "";
}

inline bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace rb::sources::so::test
