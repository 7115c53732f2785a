// Facts and internal events: set_fact, post_event, retract_fact (partial or not), facts in `all`,
// match_multiple_rules, other rulesets.
#include "conformance.h"

using namespace conformance;

namespace {

void check_internal_meta(const value& event, const char* name) {
  CHECK(event["meta"]["source"]["name"] == name);
  CHECK(event["meta"]["source"]["type"] == "internal");
  CHECK(event["meta"]["uuid"].get<std::string>().size() == 36);
  CHECK(event["meta"]["received_at"].get<std::string>().back() == 'Z');
}

}  // namespace

TEST_CASE("04 set_fact: the fact fires a rule's event. condition; meta says set_fact, internal") {
  const auto o = run("facts_set_fact.yml");
  REQUIRE(o.run.exit_code == 0);
  CHECK(o.actions() == strings{"r1::set_fact", "r2::print_event"});
  const auto recs = o.action_records();
  REQUIRE(recs.size() == 2);
  CHECK(recs[0]["status"] == "successful");
  CHECK(events_of(recs[0]) == value::parse(R"({"m": {"i": 1}})"));
  CHECK(events_of(recs[1]) == value::parse(R"({"m": {"msg": "hello world"}})"));
  check_internal_meta(recs[1]["matching_events"]["m"], "set_fact");
}

TEST_CASE("05 post_event: the posted event is matched like a source's; meta says post_event") {
  const auto o = run("facts_post_event.yml");
  REQUIRE(o.run.exit_code == 0);
  CHECK(o.actions() == strings{"r1::post_event", "r2::print_event"});
  const auto recs = o.action_records();
  REQUIRE(recs.size() == 2);
  CHECK(events_of(recs[1]) == value::parse(R"({"m": {"msg": "hello world", "from": 1}})"));
  check_internal_meta(recs[1]["matching_events"]["m"], "post_event");
}

TEST_CASE("06 retract_fact: a retracted fact no longer completes a match") {
  const auto o = run("facts_retract.yml");
  REQUIRE(o.run.exit_code == 0);
  CHECK(o.actions() == strings{"set::set_fact", "seen::debug", "retract::retract_fact",
                               "retract::post_event", "probe::debug"});
  CHECK(o.out_has("fact gone"));
  CHECK_FALSE(o.out_has("fact still there"));
}

TEST_CASE("78 retract_fact partial false: only the whole fact (meta aside) retracts it") {
  const auto o = run("facts_retract_full.yml");
  REQUIRE(o.run.exit_code == 0);
  CHECK(o.actions() == strings{"set::set_fact", "subset::retract_fact", "still there::debug",
                               "whole::retract_fact", "gone::debug"});
  const auto recs = o.action_records();
  CHECK(events_of(recs[2]) == value::parse(R"({"m_0": {"step": "probe"},
                                              "m_1": {"msg": "hello world", "creator": "Kernighan"}})"));
}

TEST_CASE("72 set fact with type: typed values; a fact fires every rule it matches") {
  const auto o = run("facts_types.yml", {"-e", rulebook_path("facts_vars.yml")});
  REQUIRE(o.run.exit_code == 0);
  CHECK(o.actions() == strings{"r1::set_fact", "Match the bool::debug", "Match the int::debug",
                               "Match the float::debug", "Match the literal int::debug",
                               "Match the string int::debug"});
  const auto recs = o.action_records();
  REQUIRE(recs.size() == 6);
  CHECK(events_of(recs[1]) == value::parse(R"({"m": {"var_bool": true, "var_int": 2,
      "var_float": 3.123, "literal_int": 5, "string_int": "5"}})"));
}

TEST_CASE("facts in all: facts.<name> is read by the event's condition, and never used up") {
  const auto o = run("facts_join.yml");
  REQUIRE(o.run.exit_code == 0);
  CHECK(o.actions() ==
        strings{"remember::set_fact", "outage with beta::debug", "outage with beta::debug"});
  const auto recs = o.action_records();
  REQUIRE(recs.size() == 3);
  const value expected = value::parse(R"({"flags": {"beta_enabled": true, "team": "blue"},
                                          "m_1": {"outage": true, "team": "blue"}})");
  CHECK(events_of(recs[1]) == expected);
  CHECK(events_of(recs[2]) == expected);
  CHECK(recs[1]["matching_events"]["m_1"]["meta"]["uuid"] !=
        recs[2]["matching_events"]["m_1"]["meta"]["uuid"]);
  CHECK(o.out_has("outage for team blue"));
}

TEST_CASE("80/81 match_multiple_rules: every matching rule fires; otherwise the first only") {
  const auto o = run("facts_match_multiple.yml");
  REQUIRE(o.run.exit_code == 0);
  strings multiple, single;
  for (const auto& a : o.actions_with_ruleset())
    (a.rfind("multiple::", 0) == 0 ? multiple : single).push_back(a);
  CHECK(multiple == strings{"multiple::r1::debug", "multiple::r11::print_event"});
  CHECK(single == strings{"single::r1::debug"});
}

TEST_CASE("35/36 other rulesets: set_fact and post_event reach the named ruleset only") {
  const auto o = run("facts_rulesets.yml");
  REQUIRE(o.run.exit_code == 0);
  CHECK(o.actions_with_ruleset() == strings{"first::r1::set_fact", "first::r1::post_event",
                                            "first::r1::post_event", "first::r1::debug",
                                            "second::r1::debug", "second::r2::print_event"});
  const auto recs = o.action_records();
  REQUIRE(recs.size() == 6);
  CHECK(recs[2]["status"] == "failed");
  CHECK(recs[2]["message"] == "post_event: unknown ruleset 'nowhere'");
  CHECK(o.err_has("rule 'r1': action 'post_event' failed: post_event: unknown ruleset 'nowhere'"));
  CHECK(recs[3]["status"] == "successful");  // the firing goes on after a failed action
  CHECK(events_of(recs[4]) == value::parse(R"({"m": {"fire_rule": true}})"));
  CHECK(events_of(recs[5]) == value::parse(R"({"m": {"posted": 1}})"));
}
