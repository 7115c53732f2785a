// Throttles: once_within, once_after, accumulate_within with group_by_attributes.
#include "conformance.h"

using namespace conformance;

TEST_CASE("52/53 once_within: one firing per group; the rule uses every matching event up") {
  const auto o = run("throttle_once_within.yml");
  REQUIRE(o.run.exit_code == 0);
  std::vector<value> recs52, recs53;
  for (const auto& r : o.action_records()) {
    if (r["ruleset"] == "52 once within")
      recs52.push_back(r);
    else
      recs53.push_back(r);
  }
  REQUIRE(recs52.size() == 2);
  CHECK(recs52[0]["rule"] == "r1");
  CHECK(events_of(recs52[0])["m"]["n"] == 0);
  CHECK(events_of(recs52[1])["m"]["n"] == 1);
  CHECK(recs52[1]["matching_events"]["m"]["alert"]["level"] == "error");
  REQUIRE(recs53.size() == 2);
  CHECK(recs53[0]["matching_events"]["m"]["meta"]["hosts"] == "HostA");
  CHECK(recs53[1]["matching_events"]["m"]["meta"]["hosts"] == "HostB");
  CHECK_FALSE(o.out_has("never"));
}

TEST_CASE("56 once_after: one firing at the end of the window, first event of each group") {
  const auto o = run("throttle_once_after.yml");
  REQUIRE(o.run.exit_code == 0);
  REQUIRE(o.actions() == strings{"r1::debug"});
  const value rec = o.action_records()[0];
  CHECK(events_of(rec) == value::parse(R"({
      "m_0": {"event_index": 0, "alert": {"level": "warning", "message": "Low disk space"}},
      "m_1": {"event_index": 1, "alert": {"level": "warning", "message": "Low disk space"}}})"));
  CHECK(rec["matching_events"]["m_0"]["meta"]["hosts"] == "localhost0");
  CHECK(rec["matching_events"]["m_1"]["meta"]["hosts"] == "localhost1");
  CHECK(o.out_has("Once after 1 second"));
}

TEST_CASE("95 accumulate_within: the threshold-th event of a group fires, alone, as m") {
  const auto o = run("throttle_accumulate.yml");
  REQUIRE(o.run.exit_code == 0);
  REQUIRE(o.actions() == strings{"r1::debug", "r1::debug"});
  const auto recs = o.action_records();
  CHECK(events_of(recs[0]) ==
        value::parse(R"({"m": {"n": 3, "name": "alert1", "level": "error", "code": 205}})"));
  CHECK(events_of(recs[1]) ==
        value::parse(R"({"m": {"n": 8, "name": "alert3", "level": "error", "code": 205}})"));
}

TEST_CASE("a throttle on a multi-condition rule is a start-up error naming the rule") {
  rb::test::temp_dir dir;
  const auto rb = dir.write("r.yml",
                            "- name: rs\n"
                            "  hosts: all\n"
                            "  sources:\n"
                            "    - range:\n"
                            "        limit: 1\n"
                            "  rules:\n"
                            "    - name: both\n"
                            "      condition:\n"
                            "        all:\n"
                            "          - event.i == 0\n"
                            "          - event.i == 1\n"
                            "      throttle:\n"
                            "        once_within: 1 minute\n"
                            "        group_by_attributes:\n"
                            "          - event.i\n"
                            "      action:\n"
                            "        none:\n");
  const auto r = rb::test::run_rulebook({"-r", rb});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("r.yml:13:9: rule 'both': throttle works on single-condition rules only") !=
        std::string::npos);
}
