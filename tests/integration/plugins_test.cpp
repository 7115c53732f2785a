// Plugins end to end with the real binary: Lua sources and filters, .so sources, failures,
// the sandbox, the watchdog and `restart: on-failure`. The slow cases (the 5 s watchdog, the
// restart back-off) run as parallel processes in one test so the file stays well under 30 s.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "harness.h"
#include "unit/sources_so/plugin_paths.h"

using namespace rb::test;
using rb::value;
using rb::sources::so::test::plugin_dir;

namespace {

std::string rulebook_with(const std::string& sources, const std::string& rules) {
  return "---\n- name: rs\n  hosts: all\n  sources:\n" + sources + "  rules:\n" + rules;
}

// One rule matching every event that has `field`, running `none` (audited as noop).
std::string rule_on(const std::string& field) {
  return "    - name: every " + field + "\n      condition: event." + field +
         " is defined\n      action:\n        none:\n";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The action records of an audit log (a failed source adds a record of type "Source").
std::vector<value> actions_in(const std::string& audit_file) {
  std::vector<value> out;
  for (auto& rec : read_jsonl(audit_file))
    if (rec.value("type", "") == "Action") out.push_back(std::move(rec));
  return out;
}

// The source failure records of an audit log.
std::vector<value> failures_in(const std::string& audit_file) {
  std::vector<value> out;
  for (auto& rec : read_jsonl(audit_file))
    if (rec.value("type", "") == "Source") out.push_back(std::move(rec));
  return out;
}

std::size_t count_with(const std::vector<value>& recs, const std::string& field) {
  return static_cast<std::size_t>(std::count_if(recs.begin(), recs.end(), [&](const value& r) {
    return r.contains("matching_events") && r["matching_events"]["m"].contains(field);
  }));
}

// A Lua source that puts one event and then raises on line 3.
const std::string raising_lua =
    "return function(queue, args)\n"
    "  queue:put({boom = 1})\n"
    "  error('the sensor is unplugged')\n"
    "end\n";

// A second source that outlives the failing one: its events must still be processed.
const std::string slow_range =
    "    - name: steady\n      range:\n        limit: 3\n        delay: 0.1\n";

}  // namespace

TEST_CASE("a Lua source runs end to end: events, meta and audit records") {
  temp_dir dir;
  const auto rb =
      dir.write("r.yml", rulebook_with("    - name: ticker\n      tick:\n        interval: 0.01\n"
                                       "        limit: 3\n",
                                       rule_on("tick")));
  const std::string audit = dir.path() + "/audit.jsonl";
  const auto r = run_rulebook({"-r", rb, "--audit-log", audit});
  CHECK(r.exit_code == 0);
  INFO(r.err);
  const auto recs = actions_in(audit);
  REQUIRE(recs.size() == 3);
  for (int i = 0; i < 3; ++i) {
    const value& m = recs[i]["matching_events"]["m"];
    CHECK(m["tick"] == i + 1);
    CHECK(m["meta"]["source"]["name"] == "ticker");
    CHECK(m["meta"]["source"]["type"] == "tick");
    CHECK(recs[i]["action"] == "noop");
  }
}

TEST_CASE("a Lua source in a -S directory takes precedence over the shipped one") {
  temp_dir dir;
  dir.write("tick.lua", "return function(queue) queue:put({tick = 'mine'}) end\n");
  const auto rb = dir.write("r.yml", rulebook_with("    - tick:\n", rule_on("tick")));
  const std::string audit = dir.path() + "/audit.jsonl";
  const auto r = run_rulebook({"-r", rb, "-S", dir.path(), "--audit-log", audit});
  CHECK(r.exit_code == 0);
  const auto recs = actions_in(audit);
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]["matching_events"]["m"]["tick"] == "mine");
}

TEST_CASE("a Lua filter from -F changes, drops and splits events") {
  temp_dir dir;
  dir.write("tag.lua",
            "return function(event, args)\n"
            "  if event.i == 1 then return nil end\n"
            "  event.tag = args.tag\n"
            "  if event.i == 2 then return {event, {i = 20, tag = 'split'}} end\n"
            "  return event\n"
            "end\n");
  const auto rb = dir.write("r.yml", rulebook_with("    - range:\n        limit: 3\n"
                                                   "      filters:\n"
                                                   "        - tag:\n            tag: lab\n",
                                                   rule_on("i")));
  const std::string audit = dir.path() + "/audit.jsonl";
  const auto r = run_rulebook({"-r", rb, "-F", dir.path(), "--audit-log", audit});
  CHECK(r.exit_code == 0);
  INFO(r.err);
  const auto recs = actions_in(audit);
  REQUIRE(recs.size() == 3);
  CHECK(recs[0]["matching_events"]["m"]["i"] == 0);
  CHECK(recs[0]["matching_events"]["m"]["tag"] == "lab");
  CHECK(recs[1]["matching_events"]["m"]["i"] == 2);
  CHECK(recs[1]["matching_events"]["m"]["tag"] == "lab");
  CHECK(recs[2]["matching_events"]["m"]["i"] == 20);
  CHECK(recs[2]["matching_events"]["m"]["tag"] == "split");

  // Without -F the filter is not found: a load error naming the places searched.
  const auto missing = run_rulebook({"-r", rb});
  CHECK(missing.exit_code == 1);
  CHECK(contains(missing.err, "event filter 'tag' not found"));
  CHECK(contains(missing.err, "lua/filters"));
}

TEST_CASE(".so sources (C and C++) run end to end from -S") {
  temp_dir dir;
  const auto rb = dir.write(
      "r.yml", rulebook_with("    - counter_c:\n        limit: 2000\n        batch: 100\n"
                             "    - ticker_cpp:\n        interval: 0.01\n        limit: 3\n"
                             "    - hello_c:\n        count: 2\n",
                             "    - name: last count\n      condition: event.n == 1999\n"
                             "      action:\n        none:\n"
                             "    - name: ticks\n      condition: event.tick is defined\n"
                             "      action:\n        none:\n" +
                                 rule_on("hello")));
  const std::string audit = dir.path() + "/audit.jsonl";
  const auto r = run_rulebook({"-r", rb, "-S", plugin_dir(), "--audit-log", audit});
  CHECK(r.exit_code == 0);
  INFO(r.err);
  const auto recs = actions_in(audit);
  REQUIRE(recs.size() == 6);
  CHECK(count_with(recs, "n") == 1);
  CHECK(count_with(recs, "tick") == 3);
  CHECK(count_with(recs, "hello") == 2);
  for (const auto& rec : recs) {
    if (rec["rule"] == "last count")
      CHECK(rec["matching_events"]["m"]["meta"]["source"]["type"] == "counter_c");
  }
}

TEST_CASE("a failing .so source fails the run (exit 1) but not the other sources") {
  temp_dir dir;
  const auto rb = dir.write(
      "r.yml",
      rulebook_with("    - name: faulty\n      fault:\n        fail_after: 2\n" + slow_range,
                    rule_on("i")));
  const std::string audit = dir.path() + "/audit.jsonl";
  const auto r = run_rulebook({"-r", rb, "-S", plugin_dir() + "/testing", "--audit-log", audit});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "source 'faulty' (fault)"));
  CHECK(contains(r.err, "fault: boom after 2 events"));
  // Both of the plugin's events before it failed, and all three of the range's.
  const auto recs = actions_in(audit);
  CHECK(recs.size() == 5);
  std::size_t from_range = 0;
  for (const auto& rec : recs)
    from_range += rec["matching_events"]["m"]["meta"]["source"]["name"] == "steady" ? 1 : 0;
  CHECK(from_range == 3);
}

TEST_CASE("a .so built for another ABI major is refused at load time") {
  temp_dir dir;
  const auto rb = dir.write("r.yml", rulebook_with("    - bad_major:\n", rule_on("i")));
  const auto r = run_rulebook({"-r", rb, "-S", plugin_dir() + "/testing"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "bad_major.so"));
  CHECK(contains(r.err, "version"));
}

TEST_CASE("a Lua source that raises: exit 1, plugin file:line logged, other sources go on") {
  temp_dir dir;
  const std::string lua = dir.write("boom.lua", raising_lua);
  const auto rb = dir.write(
      "r.yml", rulebook_with("    - name: sensor\n      boom:\n" + slow_range, rule_on("i")));
  const std::string audit = dir.path() + "/audit.jsonl";
  const auto r = run_rulebook({"-r", rb, "-S", dir.path(), "--audit-log", audit});
  CHECK(r.exit_code == 1);
  INFO(r.err);
  CHECK(contains(r.err, "source 'sensor' (boom)"));
  CHECK(contains(r.err, lua + ":3: the sensor is unplugged"));
  // The range outlived the failure and all its events were matched.
  const auto recs = actions_in(audit);
  CHECK(count_with(recs, "i") == 3);
  // The failure is in the audit log too, with the same message.
  const auto failures = failures_in(audit);
  REQUIRE(failures.size() == 1);
  CHECK(failures[0]["status"] == "failed");
  CHECK(failures[0]["source"] == "sensor");
  CHECK(failures[0]["plugin"] == "boom");
  CHECK(contains(failures[0]["message"].get<std::string>(), lua + ":3: the sensor is unplugged"));
}

TEST_CASE("the sandbox refuses io without --lua-allow io, with the plugin's file:line") {
  temp_dir dir;
  const std::string data = dir.write("data.txt", "hello\n");
  const std::string lua = dir.write("reader.lua",
                                    "return function(queue, args)\n"
                                    "  local f = io.open(args.file)\n"
                                    "  queue:put({line = f:read('*l')})\n"
                                    "  f:close()\n"
                                    "end\n");
  const auto rb = dir.write(
      "r.yml", rulebook_with("    - reader:\n        file: " + data + "\n", rule_on("line")));
  const std::string audit = dir.path() + "/audit.jsonl";
  const auto refused = run_rulebook({"-r", rb, "-S", dir.path(), "--audit-log", audit});
  CHECK(refused.exit_code == 1);
  INFO(refused.err);
  CHECK(contains(refused.err, lua + ":2:"));
  CHECK(contains(refused.err, "'io'"));
  CHECK(actions_in(audit).empty());

  const auto allowed =
      run_rulebook({"-r", rb, "-S", dir.path(), "--lua-allow", "io", "--audit-log", audit});
  CHECK(allowed.exit_code == 0);
  const auto recs = actions_in(audit);
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]["matching_events"]["m"]["line"] == "hello");
}

TEST_CASE("the shipped tail source follows a file with --lua-allow io") {
  temp_dir dir;
  const std::string log = dir.write("app.log", "old line\n");
  const auto rb = dir.write(
      "r.yml", rulebook_with("    - tail:\n        path: " + log +
                                 "\n        from_beginning: true\n        json: true\n"
                                 "        interval: 0.01\n        limit: 2\n",
                             rule_on("path") + "    - name: json\n      condition: event.level "
                                               "== 'error'\n      action:\n        none:\n"));
  {
    std::ofstream out(log, std::ios::app);
    out << "{\"level\": \"error\"}\n";
  }
  const std::string audit = dir.path() + "/audit.jsonl";
  const auto r = run_rulebook({"-r", rb, "--lua-allow", "io", "--audit-log", audit});
  CHECK(r.exit_code == 0);
  INFO(r.err);
  const auto recs = actions_in(audit);
  REQUIRE(recs.size() == 2);
  CHECK(recs[0]["matching_events"]["m"]["line"] == "old line");
  CHECK(recs[1]["matching_events"]["m"]["level"] == "error");
}

TEST_CASE("the Lua memory cap fails the source, not the engine") {
  temp_dir dir;
  dir.write("hog.lua",
            "return function(queue)\n"
            "  local t = {}\n"
            "  for i = 1, 1e8 do t[i] = 'x' .. i end\n"
            "end\n");
  const auto rb = dir.write("r.yml", rulebook_with("    - hog:\n" + slow_range, rule_on("i")));
  const std::string audit = dir.path() + "/audit.jsonl";
  const auto r =
      run_rulebook({"-r", rb, "-S", dir.path(), "--lua-memory-limit", "4M", "--audit-log", audit});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "memory limit of 4 MiB exceeded"));
  CHECK(count_with(actions_in(audit), "i") == 3);
}

TEST_CASE("a missing plugin: exit 1, naming the rulebook position and every place searched") {
  temp_dir dir;
  const auto rb = dir.write("r.yml", rulebook_with("    - nosuch:\n", rule_on("i")));
  const auto r = run_rulebook({"-r", rb, "-S", dir.path()});
  CHECK(r.exit_code == 1);
  INFO(r.err);
  CHECK(contains(r.err, rb + ":5:7"));
  CHECK(contains(r.err, "source plugin 'nosuch' not found"));
  CHECK(contains(r.err, "nosuch.lua or nosuch.so"));
  CHECK(contains(r.err, "'" + dir.path() + "'"));
  CHECK(contains(r.err, "lua/sources"));
}

TEST_CASE("slow cases in parallel: watchdog hook, watchdog fatal (JIT), restart on-failure") {
  temp_dir dir;
  const std::string spin = dir.write("spin.lua",
                                     "return function(queue)\n"
                                     "  queue:put({spin = 1})\n"
                                     "  while true do end\n"
                                     "end\n");
  dir.write("boom.lua", raising_lua);
  // 1. JIT off (the default): the count hook interrupts the loop after the 5 s watchdog.
  const auto hook_rb = dir.write(
      "hook.yml", rulebook_with("    - name: spinner\n      spin:\n" + slow_range, rule_on("i")));
  // 3. restart: on-failure with 2 restarts (back-off 1 s, 2 s), then the source fails.
  const auto restart_rb = dir.write("restart.yml", rulebook_with("    - name: flaky\n      boom:\n"
                                                                 "      restart: on-failure\n"
                                                                 "      max_restarts: 2\n" +
                                                                     slow_range,
                                                                 rule_on("boom") + rule_on("i")));
  const std::string p = dir.path() + "/";
  const int hook_pid =
      spawn_rulebook({"-r", hook_rb, "-S", dir.path(), "--audit-log", p + "hook.jsonl"},
                     p + "hook.out", p + "hook.err");
  // 2. --lua-allow jit: the loop is compiled, hooks never run; the watchdog thread ends the
  // process after watchdog + grace (6 s) with a critical log naming the plugin.
  const int jit_pid = spawn_rulebook({"-r", hook_rb, "-S", dir.path(), "--lua-allow", "jit"},
                                     p + "jit.out", p + "jit.err");
  const int restart_pid =
      spawn_rulebook({"-r", restart_rb, "-S", dir.path(), "--audit-log", p + "restart.jsonl"},
                     p + "restart.out", p + "restart.err");

  const auto t0 = std::chrono::steady_clock::now();
  const auto restart = wait_rulebook(restart_pid, p + "restart.out", p + "restart.err");
  const double restart_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto hook = wait_rulebook(hook_pid, p + "hook.out", p + "hook.err");
  const auto jit = wait_rulebook(jit_pid, p + "jit.out", p + "jit.err");

  {
    INFO(hook.err);
    CHECK(hook.exit_code == 1);
    CHECK(contains(hook.err, "source 'spinner' (spin)"));
    CHECK(contains(hook.err, "spin.lua:3: watchdog: ran for more than 5000 ms without yielding"));
    // The loop was stuck for 5 s, but once free again the range went on to its end.
    CHECK(count_with(actions_in(p + "hook.jsonl"), "i") == 3);
  }
  {
    INFO(jit.err);
    CHECK(jit.exit_code == 70);
    CHECK(contains(jit.err, "spin"));
    CHECK(contains(jit.err, "ending the process"));
  }
  {
    INFO(restart.err);
    CHECK(restart.exit_code == 1);
    CHECK(contains(restart.err, "restart 1 of 2 in 1 s"));
    CHECK(contains(restart.err, "restart 2 of 2 in 2 s"));
    CHECK(contains(restart.err, "boom.lua:3: the sensor is unplugged (gave up after 2 restarts)"));
    CHECK(restart_s >= 3.0);  // the back-off really waited
    const auto recs = actions_in(p + "restart.jsonl");
    CHECK(count_with(recs, "boom") == 3);  // one event per run: the first and two restarts
    CHECK(count_with(recs, "i") == 3);
    // Only the final failure reaches the engine (and its audit log).
    const auto failures = failures_in(p + "restart.jsonl");
    REQUIRE(failures.size() == 1);
    CHECK(contains(failures[0]["message"].get<std::string>(), "gave up after 2 restarts"));
  }
}
