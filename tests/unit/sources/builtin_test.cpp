#include <doctest/doctest.h>

#include <filesystem>

#include "rulebook/loader.h"
#include "source_harness.h"

using rb::value;
using namespace rb::sources;
using namespace rb::sources::test;

TEST_CASE("builtin_name accepts the short, eda.builtin. and ansible.eda. spellings") {
  for (const char* name : {"range", "generic", "webhook", "alertmanager"}) {
    CHECK(builtin_name(name) == name);
    CHECK(builtin_name(std::string("eda.builtin.") + name) == name);
    CHECK(builtin_name(std::string("ansible.eda.") + name) == name);
  }
  for (const char* other :
       {"", "kafka", "Range", "eda.builtin.", "eda.range", "ansible.eda.", "x.ansible.eda.range",
        "ansible.eda.range.x", "eda.builtin.ansible.eda.range"}) {
    CAPTURE(other);
    CHECK(builtin_name(other).empty());
  }
}

TEST_CASE("make_builtin builds each alias and rejects unknown plugins") {
  for (const char* plugin : {"range", "eda.builtin.range", "ansible.eda.range"}) {
    harness h;
    h.run(plugin, {{"limit", 2}});
    CHECK(h.sink.events.size() == 2);
    h.check_contract();
  }
  for (const char* plugin : {"generic", "eda.builtin.generic", "ansible.eda.generic"}) {
    harness h;
    h.run(plugin, {{"payload", {{"a", 1}}}});
    CHECK(h.sink.events.size() == 1);
    h.check_contract();
  }
  CHECK(make_error("kafka", value::object()) ==
        "source plugin 'kafka' is not built in (built-in sources: range, generic, url_check, "
        "monitors, webhook, alertmanager)");
  // The servers need the engine's HTTP server: without one it is a wiring error, at load.
  CHECK(make_error("webhook", {{"port", 0}}) ==
        "webhook: internal error: source created without an HTTP server");
}

TEST_CASE("make_builtin refuses an environment without loop or sink") {
  source_env env;
  CHECK_THROWS_AS(make_builtin("range", {{"limit", 1}}, env), source_error);
}

// The rulebooks that docs/sources.md points at must load, and their sources must build and run.
TEST_CASE("rulebooks/sources_*.yml load and their sources run to their end") {
  namespace fs = std::filesystem;
  const fs::path root(RB_SOURCE_DIR);
  int seen = 0;
  const fs::path previous = fs::current_path();
  fs::current_path(root);  // payload_file paths in the examples are relative to the repo root
  for (const auto& entry : fs::directory_iterator(root / "rulebooks")) {
    const std::string file = entry.path().filename().string();
    if (file.rfind("sources_", 0) != 0 || entry.path().extension() != ".yml") continue;
    if (file.find("_payload") != std::string::npos) continue;  // data for payload_file
    ++seen;
    CAPTURE(file);
    auto loaded = rb::rulebook::load_file(entry.path().string(), value::object());
    std::string diags;
    for (const auto& d : loaded.errors) diags += rb::rulebook::to_string(d) + "\n";
    CAPTURE(diags);
    REQUIRE(loaded.ok());
    for (const auto& rs : loaded.model.rulesets) {
      for (const auto& src : rs.sources) {
        CAPTURE(src.plugin);
        REQUIRE_FALSE(builtin_name(src.plugin).empty());
        // Servers need the engine's HTTP server: tests/conformance/webhook_test.cpp runs them.
        if (builtin_name(src.plugin) == "webhook" || builtin_name(src.plugin) == "alertmanager")
          continue;
        value args = src.args;
        // Keep the test quick: examples that run forever or wait long are only built.
        bool runs_long = args.contains("loop_count") && args["loop_count"].is_number() &&
                         args["loop_count"].get<double>() < 0;
        for (const char* key : {"delay", "startup_delay", "event_delay", "repeat_delay",
                                "loop_delay", "shutdown_after"})
          runs_long |= args.contains(key);
        runs_long |= builtin_name(src.plugin) == "monitors";  // a schedule never ends
        harness h;
        REQUIRE_NOTHROW(h.make(src.plugin, args));
        if (runs_long) continue;
        h.start();
        h.io.run();
        CHECK(h.end == source_end::finished);
        CHECK_FALSE(h.sink.events.empty());
      }
    }
  }
  fs::current_path(previous);
  CHECK(seen >= 2);
}
