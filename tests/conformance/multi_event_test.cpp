// Multi-event conditions: all (any order, references, assigned names, distinct events, timeout),
// any, not_all, default_events_ttl.
#include <map>

#include "conformance.h"

using namespace conformance;

TEST_CASE("15/18 all: fires when every condition has its event, reported in condition order") {
  const auto o = run("multi_all.yml");
  REQUIRE(o.run.exit_code == 0);
  CHECK(o.actions() == strings{"r1::debug", "r2::debug"});
  const auto recs = o.action_records();
  REQUIRE(recs.size() == 2);
  CHECK(events_of(recs[0]) == value::parse(R"({"m_0": {"nested": {"i": 1, "j": 0}},
                                              "m_1": {"nested": {"i": 0, "j": 1}}})"));
  // The range2 event came first but satisfies the second condition: it is m_1.
  CHECK(events_of(recs[1]) == value::parse(R"({"m_0": {"i": 1}, "m_1": {"range2": {"i": 1}}})"));
  CHECK(recs[1]["matching_events"]["m_0"]["meta"]["source"]["name"] == "generic");
}

TEST_CASE("16/17 any: each event fires alone, named after the condition it satisfied") {
  const auto o = run("multi_any.yml");
  REQUIRE(o.run.exit_code == 0);
  CHECK(o.actions() == strings{"r1::debug", "r2::debug", "r2::debug"});
  const auto recs = o.action_records();
  REQUIRE(recs.size() == 3);
  CHECK(events_of(recs[0]) == value::parse(R"({"m_0": {"nested": {"i": 1, "j": 0}}})"));
  CHECK(events_of(recs[1]) == value::parse(R"({"m_0": {"i": 1}})"));
  CHECK(events_of(recs[2]) == value::parse(R"({"m_1": {"range2": {"i": 1}}})"));
}

TEST_CASE("76 all: several partial matches give several firings, each with its own events") {
  const auto o = run("multi_references.yml");
  REQUIRE(o.run.exit_code == 0);
  CHECK(o.actions() == strings{"r1::print_event", "r1::print_event"});
  const auto recs = o.action_records();
  REQUIRE(recs.size() == 2);
  CHECK(events_of(recs[0]) ==
        value::parse(R"({"m_0": {"request": {"type": "Delete", "friend_name": "fred"}},
                         "m_1": {"friend_list": {"names": ["fred", "barney"]}}})"));
  CHECK(events_of(recs[1]) ==
        value::parse(R"({"m_0": {"request": {"type": "Delete", "friend_name": "wilma"}},
                         "m_1": {"friend_list": {"names": ["wilma", "betty"]}}})"));
}

TEST_CASE("75 all: an event waits for the event its condition refers to") {
  const auto o = run("multi_later_reference.yml");
  REQUIRE(o.run.exit_code == 0);
  REQUIRE(o.actions() == strings{"r1::print_event"});
  CHECK(events_of(o.action_records()[0]) ==
        value::parse(R"({"m_0": {"request": {"type": "Delete", "friend_name": "fred"}},
                         "m_1": {"friend_list": {"names": ["fred", "barney"]}}})"));
}

TEST_CASE("all with assigned names: reported and templated under those names") {
  const auto o = run("multi_assigned.yml");
  REQUIRE(o.run.exit_code == 0);
  CHECK(o.actions() == strings{"host alert::debug", "host alert::debug"});
  const auto recs = o.action_records();
  REQUIRE(recs.size() == 2);
  CHECK(events_of(recs[0]) ==
        value::parse(R"({"alert": {"alert": {"level": "error", "host": "web1"}},
                                              "server": {"host": {"name": "web1"}}})"));
  CHECK(events_of(recs[1]) ==
        value::parse(R"({"alert": {"alert": {"level": "error", "host": "web2"}},
                                              "server": {"host": {"name": "web2"}}})"));
  CHECK(o.out_has("\nweb1 is web1\n"));
  CHECK(o.out_has("\nweb2 is web2\n"));
}

TEST_CASE("all: one event cannot satisfy two conditions of the same firing") {
  const auto o = run("multi_distinct.yml");
  REQUIRE(o.run.exit_code == 0);
  const auto recs = o.action_records();
  REQUIRE(recs.size() == 1);  // i=0 and i=1 fire together; i=2 waits alone
  CHECK(recs[0]["action"] == "noop");
  // The newest event takes the first condition it satisfies; the waiting one fills the other.
  CHECK(events_of(recs[0]) == value::parse(R"({"m_0": {"i": 1}, "m_1": {"i": 0}})"));
}

TEST_CASE("55 not_all: fires at the timeout with the opening event; a complete window is silent") {
  const auto o = run("multi_not_all.yml");
  REQUIRE(o.run.exit_code == 0);
  REQUIRE(o.actions() == strings{"maint failed::debug"});
  const value rec = o.action_records()[0];
  CHECK(events_of(rec) ==
        value::parse(R"({"m_0": {"alert": {"code": 1001, "message": "Applying maintenance"}}})"));
  CHECK(rec["matching_events"]["m_0"]["meta"]["source"]["name"] == "alone");
  CHECK(o.out_has("Not all conditions met"));
}

TEST_CASE("54 all with timeout: only events within the timeout of each other fire") {
  const auto o = run("multi_all_timeout.yml");
  REQUIRE(o.run.exit_code == 0);
  REQUIRE(o.actions() == strings{"maint cycle::print_event"});
  const value rec = o.action_records()[0];
  CHECK(events_of(rec) == value::parse(R"({"m_0": {"alert": {"code": 1001}},
                                           "m_1": {"alert": {"code": 1002}}})"));
  CHECK(rec["matching_events"]["m_0"]["meta"]["source"]["name"] == "third");
  CHECK(rec["matching_events"]["m_1"]["meta"]["source"]["name"] == "second");
}

TEST_CASE("77 default_events_ttl: an event older than the TTL no longer completes a match") {
  const auto o = run("multi_ttl.yml");
  REQUIRE(o.run.exit_code == 0);
  REQUIRE(o.actions() == strings{"r2::print_event"});
  CHECK(events_of(o.action_records()[0]) == value::parse(R"({"m": {"k": 3}})"));
}

TEST_CASE("meta written when the event fires is the meta it had on arrival") {
  const auto o = run("meta_lazy.yml");
  REQUIRE(o.run.exit_code == 0);
  CHECK(o.actions_with_ruleset() ==
        strings{"meta in a condition::By source::noop", "lazy meta::Held::noop"});
  const auto recs = o.action_records();
  REQUIRE(recs.size() == 2);
  const value& by_source = recs[0]["matching_events"]["m"]["meta"];
  CHECK(by_source["source"] == value::parse(R"({"name": "named", "type": "generic"})"));
  const value& events = recs[1]["matching_events"];
  for (const char* name : {"m_0", "m_1"}) {
    const value& meta = events[name]["meta"];
    INFO(meta.dump());
    std::vector<std::string> keys;
    for (auto it = meta.begin(); it != meta.end(); ++it) keys.push_back(it.key());
    CHECK(keys == strings{"source", "received_at", "uuid"});
    CHECK(meta["source"] == value::parse(R"({"name": "ticks", "type": "generic"})"));
    CHECK(meta["uuid"].get<std::string>().size() == 36);
  }
  // ISO 8601 UTC with microseconds compares as text; the first arrived 0.5 s before the second,
  // and both before the rule fired.
  const std::string first = events["m_0"]["meta"]["received_at"];
  const std::string second = events["m_1"]["meta"]["received_at"];
  CHECK(first < second);
  CHECK(second <= recs[1]["rule_run_at"].get<std::string>());
  const auto seconds = [](const std::string& t) {
    return std::stod(t.substr(17, 9)) + 60 * std::stod(t.substr(14, 2));
  };
  CHECK(seconds(second) - seconds(first) > 0.3);
}

TEST_CASE("events.<name> / facts.<name> naming no binding read the event's own field") {
  const auto o = run("multi_unbound_prefix.yml");
  REQUIRE(o.run.exit_code == 0);
  std::map<std::string, std::vector<value>> by_ruleset;
  for (const auto& r : o.action_records())
    by_ruleset[r["ruleset"].get<std::string>()].push_back(events_of(r));
  REQUIRE(by_ruleset["single"].size() == 1);
  CHECK(by_ruleset["single"][0] == value::parse(R"({"m": {"i": 1, "alert": {"level": "error"}}})"));
  CHECK(o.out_has("\nsingle saw 1\n"));
  REQUIRE(by_ruleset["facts"].size() == 1);
  CHECK(by_ruleset["facts"][0] ==
        value::parse(R"({"m": {"i": 2, "alert": {"level": "warning"}}})"));
  // In an all, m_0 is a binding; x is not, so events.x.y is the event's x.y.
  REQUIRE(by_ruleset["all"].size() == 1);
  CHECK(by_ruleset["all"][0] == value::parse(R"({"m_0": {"i": 1, "alert": {"level": "error"}},
                                                 "m_1": {"i": 4, "x": {"y": 7}}})"));
  // An any binds nothing: events.m_0.x is the event's m_0.x.
  REQUIRE(by_ruleset["any"].size() == 2);
  CHECK(by_ruleset["any"][0] ==
        value::parse(R"({"m_0": {"i": 2, "alert": {"level": "warning"}}})"));
  CHECK(by_ruleset["any"][1] == value::parse(R"({"m_1": {"i": 3, "m_0": {"x": 5}}})"));
}
