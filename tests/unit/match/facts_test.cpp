// Facts: matched by event. and fact. conditions, never used up, retracted partially or whole.
// Example numbers refer to ansible-rulebook's tests/examples/*.yml and test_examples.py.
#include "match_test_util.h"

using namespace mt;

TEST_CASE("04 set_fact: a fact fires a single rule's event. condition") {
  harness h(rules(single("r1", "event.i == 1"), single("r2", R"(event.msg == "hello world")")));
  CHECK(h.event(R"({"i": 1})").size() == 1);
  CHECK(h.fact(R"({"msg": "hello world"})") == strings{R"(r2 {"m":{"msg":"hello world"}})"});
}

TEST_CASE("72 set fact with type: one fact fires every rule it matches") {
  harness h(rules(single("bool", "event.var_bool"), single("int", "event.var_int == 2"),
                  single("float", "event.var_float == 3.123"),
                  single("literal", "event.literal_int == 5"),
                  single("string", R"(event.string_int == "5")")));
  const auto got = h.fact(
      R"({"var_bool": true, "var_int": 2, "var_float": 3.123, "literal_int": 5, "string_int": "5"})");
  REQUIRE(got.size() == 5);
  CHECK(got[0].starts_with("bool "));
  CHECK(got[4].starts_with("string "));
}

TEST_CASE("19 is defined: a fact fires only the rules it matches") {
  harness h(rules(single("r1", "event.i == 1"), single("r2", "event.msg is defined"),
                  single("r3", "event.payload is defined")));
  CHECK(h.fact(R"({"msg": "hello"})") == strings{R"(r2 {"m":{"msg":"hello"}})"});
}

TEST_CASE("a fact. condition matches facts") {
  harness h(rules(single("r", "fact.os == \"linux\"")));
  CHECK(h.fact(R"({"os": "linux"})").size() == 1);
}

TEST_CASE("37 hosts facts: all of a fact and an event; the fact is not used up") {
  harness h(rules(all("host1", {R"(fact.meta.hosts == "localhost")", "event.i == 1"}),
                  all("host2", {R"(fact.os == "linux")", "event.i == 4"})));
  CHECK(h.fact(R"({"meta": {"hosts": "localhost"}, "os": "linux"})").empty());
  for (int i = 0; i < 5; ++i) {
    const auto got = h.event(R"({"i": )" + std::to_string(i) + "}");
    if (i == 1)
      CHECK(got ==
            strings{R"(host1 {"m_0":{"meta":{"hosts":"localhost"},"os":"linux"},"m_1":{"i":1}})"});
    else if (i == 4)
      CHECK(got.size() == 1);
    else
      CHECK(got.empty());
  }
  CHECK(h.event(R"({"i": 1})").size() == 1);  // the same fact again
}

TEST_CASE("a fact arriving last completes every waiting partial match") {
  harness h(rules(all("r", {"event.i == 1", "fact.ready == true"})));
  CHECK(h.event(R"({"i": 1, "n": 1})").empty());
  CHECK(h.event(R"({"i": 1, "n": 2})").empty());
  const auto got = h.fact(R"({"ready": true})");
  CHECK(got == strings{R"(r {"m_0":{"i":1,"n":1},"m_1":{"ready":true}})",
                       R"(r {"m_0":{"i":1,"n":2},"m_1":{"ready":true}})"});
  CHECK(h.m.held() == 0);
}

TEST_CASE("all of facts only fires once per set of facts") {
  harness h(rules(all("r", {"fact.a == 1", "fact.b == 1"})));
  CHECK(h.fact(R"({"a": 1})").empty());
  CHECK(h.fact(R"({"b": 1})") == strings{R"(r {"m_0":{"a":1},"m_1":{"b":1}})"});
  CHECK(h.fact(R"({"c": 1})").empty());
}

TEST_CASE("conditions.rst: facts.<name> assignment read by an event condition") {
  harness h(rules(all("r", {"facts.first << fact.custom.expected_index is defined",
                            "event.i == facts.first.custom.expected_index"})));
  CHECK(h.event(R"({"i": 3})").empty());
  CHECK(h.fact(R"({"custom": {"expected_index": 3}})") ==
        strings{R"(r {"first":{"custom":{"expected_index":3}},"m_1":{"i":3}})"});
}

TEST_CASE("facts are not used up: a fact fires even with match_multiple_rules off") {
  harness h(rules(single("a", "event.x == 1"), single("b", "event.x == 1")));
  CHECK(h.fact(R"({"x": 1})").size() == 2);
  CHECK(h.event(R"({"x": 1})").size() == 1);  // an event still stops at the first
}

TEST_CASE("asserting an equal fact replaces it (meta aside) and fires again") {
  harness h(rules(single("r", "event.x == 1")));
  CHECK(h.fact(R"({"x": 1, "meta": {"uuid": "a"}})").size() == 1);
  CHECK(h.fact(R"({"x": 1, "meta": {"uuid": "b"}})").size() == 1);
  REQUIRE(h.m.facts().size() == 1);
  CHECK((*h.m.facts()[0])["meta"]["uuid"] == "b");
}

TEST_CASE("06 / 20 retract_fact partial: facts containing the given fields go") {
  harness h(rules(all("r", {"fact.msg == \"hello\"", "event.i == 1"})));
  h.fact(
      R"({"msg": "hello", "extra": {"a": 1, "b": 2}, "meta": {"source": {"name": "set_fact"}}})");
  h.fact(R"({"msg": "bye"})");
  CHECK(h.m.retract_fact(value::parse(R"({"msg": "nope"})"), true) == 0);
  CHECK(h.m.retract_fact(value::parse(R"({"msg": "hello", "extra": {"a": 1}})"), true) == 1);
  CHECK(h.m.facts().size() == 1);
  CHECK(h.event(R"({"i": 1})").empty());
}

TEST_CASE("78 complete retract fact: partial false needs the whole fact") {
  harness h(rules());
  h.fact(R"({"msg": "hello world", "creator": "Kernighan", "meta": {"uuid": "x"}})");
  CHECK(h.m.retract_fact(value::parse(R"({"msg": "hello world"})"), false) == 0);
  CHECK(h.m.retract_fact(value::parse(R"({"msg": "hello world", "creator": "Kernighan"})"),
                         false) == 1);
  CHECK(h.m.facts().empty());
}

TEST_CASE("fact comparisons: numbers by value, types apart") {
  CHECK(same_fact(value::parse(R"({"a": 3})"), value::parse(R"({"a": 3.0})")));
  CHECK_FALSE(same_fact(value::parse(R"({"a": 3})"), value::parse(R"({"a": "3"})")));
  CHECK(fact_contains(value::parse(R"({"a": {"b": 1, "c": 2}})"),
                      value::parse(R"({"a": {"b": 1}})")));
  CHECK_FALSE(fact_contains(value::parse(R"({"a": [1, 2]})"), value::parse(R"({"a": [1]})")));
}
