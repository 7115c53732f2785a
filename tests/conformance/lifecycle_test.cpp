// The run as a whole: shutdown (graceful, now) across rulesets, failing sources in the audit log.
#include <algorithm>

#include "conformance.h"

using namespace conformance;

TEST_CASE("shutdown graceful: every ruleset stops, the firing's later actions still run, exit 0") {
  const auto start = std::chrono::steady_clock::now();
  const auto o = run("shutdown_graceful.yml");
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE(o.run.exit_code == 0);
  CHECK(o.actions_with_ruleset() == strings{"stopper::stop::shutdown", "stopper::stop::debug"});
  const auto recs = o.action_records();
  REQUIRE(recs.size() == 2);
  CHECK(recs[0]["message"] == "enough");
  CHECK(recs[0]["delay"] == 30.0);
  CHECK(recs[0]["kind"] == "graceful");
  CHECK(events_of(recs[0])["m"]["n"] == 3);
  CHECK(o.out_has("has initiated shutdown of type: graceful. Delay: 30.000 seconds"));
  CHECK(o.out_has("after the shutdown action"));
  CHECK(took < std::chrono::seconds(10));  // nothing ran any more: no need to wait for the delay
}

TEST_CASE("shutdown now: everything stops at once, later actions of the firing do not run") {
  const auto o = run("shutdown_now.yml");
  REQUIRE(o.run.exit_code == 0);
  CHECK(o.actions_with_ruleset() == strings{"stopper::stop::shutdown"});
  const auto recs = o.action_records();
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]["kind"] == "now");
  CHECK(recs[0]["message"] == "right now");
  CHECK_FALSE(o.out_has("never printed"));
}

TEST_CASE("--shutdown-delay is the default delay of the shutdown action") {
  rb::test::temp_dir dir;
  const auto rb = dir.write("r.yml",
                            "- name: rs\n  hosts: all\n  sources:\n    - range:\n        limit: 2\n"
                            "  rules:\n    - name: stop\n      condition: event.i == 1\n"
                            "      action:\n        shutdown:\n");
  const std::string audit = dir.path() + "/audit.jsonl";
  const auto r = rb::test::run_rulebook({"-r", rb, "--audit-log", audit, "--shutdown-delay", "7"});
  REQUIRE(r.exit_code == 0);
  const auto recs = rb::test::read_jsonl(audit);
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]["delay"] == 7.0);
  CHECK(recs[0]["message"] == "Default shutdown message");
}

TEST_CASE("a failing source or filter writes a Source record; the other sources go on; exit 1") {
  const auto o =
      run("source_failure.yml", {"-S", rb::test::source_path("tests/conformance/sources")});
  CHECK(o.run.exit_code == 1);
  std::vector<value> sources;
  for (const auto& r : o.records)
    if (r["type"] == "Source") sources.push_back(r);
  REQUIRE(sources.size() == 2);
  std::sort(sources.begin(), sources.end(),
            [](const value& a, const value& b) { return a["source"] < b["source"]; });
  CHECK(sources[0]["source"] == "filtered");
  CHECK(sources[0]["plugin"] == "generic");
  CHECK(sources[0]["status"] == "failed");
  CHECK(sources[0]["ruleset"] == "failures");
  CHECK(sources[0]["message"].get<std::string>().find(
            "filter 'ansible.eda.insert_hosts_to_meta'") != std::string::npos);
  CHECK(sources[1]["source"] == "sensor");
  CHECK(sources[1]["plugin"] == "sensor_fails");
  CHECK(sources[1]["message"].get<std::string>().find(
            "sensor_fails.lua:5: the sensor is unplugged") != std::string::npos);
  for (const auto& s : sources) {
    CHECK(s["run_at"].get<std::string>().back() == 'Z');
    CHECK(s.contains("activation_id"));
  }
  // The healthy range source and the event the sensor sent before failing were all matched.
  CHECK(o.action_records().size() == 4);
}
