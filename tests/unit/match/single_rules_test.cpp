// Single-condition and constant rules, consumption and match_multiple_rules. Example numbers
// refer to ansible-rulebook's tests/examples/*.yml and their expectations in test_examples.py.
#include "match_test_util.h"

using namespace mt;

TEST_CASE("01 noop: a single condition fires with the event as m") {
  harness h(rules(single("r1", "event.i == 1")));
  CHECK(h.event(R"({"i": 0})").empty());
  CHECK(h.event(R"({"i": 1})") == strings{R"(r1 {"m":{"i":1}})"});
}

TEST_CASE("81 match single rule: the first rule in file order uses the event up") {
  harness h(rules(single("r1", "event.i == 1"), single("r11", "event.i == 1")));
  for (int i = 0; i < 5; ++i) {
    const auto got = h.event(R"({"i": )" + std::to_string(i) + "}");
    if (i == 1)
      CHECK(got == strings{R"(r1 {"m":{"i":1}})"});
    else
      CHECK(got.empty());
  }
}

TEST_CASE("80 match multiple rules: every matching rule fires, in file order") {
  harness h(rules(single("r1", "event.i == 1"), single("r11", "event.i == 1")), true);
  CHECK(h.event(R"({"i": 1})") == strings{R"(r1 {"m":{"i":1}})", R"(r11 {"m":{"i":1}})"});
}

TEST_CASE("68 disabled rule never fires") {
  auto r2 = single("r2", "event.i == 2");
  r2.enabled = false;
  harness h(rules(single("r1", "event.i == 1"), std::move(r2)));
  CHECK(h.event(R"({"i": 1})").size() == 1);
  CHECK(h.event(R"({"i": 2})").empty());
}

TEST_CASE("83 boolean true fires for every event; false never") {
  harness h(rules(constant("never", false), constant("r1", true)));
  for (int i = 0; i < 3; ++i)
    CHECK(h.event(R"({"i": )" + std::to_string(i) + "}") ==
          strings{"r1 {\"m\":{\"i\":" + std::to_string(i) + "}}"});
}

TEST_CASE("single-condition assignment is ignored: the event is still m") {
  harness h(rules(single("r", "events.first << event.i == 0")));
  CHECK(h.event(R"({"i": 0})") == strings{R"(r {"m":{"i":0}})"});
}

TEST_CASE("an event no rule wants is left to the caller, untouched") {
  harness h(rules(single("r", "event.i == 1"), all("a", {"event.x == 1", "event.y == 1"})));
  value ev = value::parse(R"({"i": 2, "payload": "kept"})");
  std::vector<firing> out;
  h.m.on_event(std::move(ev), h.at(0), out);
  CHECK(out.empty());
  CHECK(ev["payload"] == "kept");  // NOLINT: not moved from
  CHECK(h.m.held() == 0);
}

TEST_CASE("a firing shares the event instead of copying it") {
  harness h(rules(single("r", "event.i == 1"), single("s", "event.i == 1")), true);
  std::vector<firing> out;
  h.m.on_event(value::parse(R"({"i": 1})"), h.at(0), out);
  REQUIRE(out.size() == 2);
  CHECK(out[0].events().size() == 1);
  CHECK(out[0].events()[0].name == "m");
  CHECK(&out[0].first() == &out[1].first());
  CHECK(h.m.held() == 0);  // nothing kept once the firings are gone
}

TEST_CASE("building rejects malformed rules") {
  CHECK_THROWS_AS(ruleset_matcher(rules(make("x", rule_kind::all, {})), matcher_options{}),
                  std::invalid_argument);
  CHECK_THROWS_AS(
      ruleset_matcher(rules(throttled(all("x", {"event.a == 1"}), throttle_spec::kind::once_within,
                                      1s, {"event.a"})),
                      matcher_options{}),
      std::invalid_argument);
}

TEST_CASE("a silent rule uses its events up without producing firings") {
  auto quiet = single("quiet", "event.i == 1");
  quiet.silent = true;
  auto always = constant("always", true);
  always.silent = true;
  harness h(rules(std::move(quiet), single("later", "event.i >= 1"), std::move(always)));
  CHECK(h.event(R"({"i": 1})").empty());  // `quiet` fired and used it up: `later` never saw it
  CHECK(h.event(R"({"i": 2})") == strings{R"(later {"m":{"i":2}})"});
  CHECK(h.event(R"({"i": 0})").empty());  // `always` fired, silently
  CHECK(h.m.held() == 0);
}
