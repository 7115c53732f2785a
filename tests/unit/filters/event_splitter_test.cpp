#include <doctest/doctest.h>

#include "filter_test_util.h"

using namespace rb::filters::test;

namespace {
const std::string bundle =
    R"({"myevent": {"bundle": [{"name": "Fred"}, {"name": "Barney"}], "city": "Bedrock"}})";
}

TEST_CASE("event_splitter: ansible-rulebook's cases") {
  auto r = run("event_splitter", R"({"splitter_key": "myevent.bundle"})", bundle);
  CHECK(r.result.ok);
  CHECK(r.result.warning.empty());
  CHECK(r.text() == json(R"([{"name":"Fred"},{"name":"Barney"}])"));

  r = run("event_splitter",
          R"({"splitter_key": "myevent.bundle", "attributes_key_map": {"town": "myevent.city"}})",
          bundle);
  CHECK(r.text() ==
        json(R"([{"name":"Fred","town":"Bedrock"},{"name":"Barney","town":"Bedrock"}])"));

  r = run("event_splitter",
          R"({"splitter_key": "myevent.bundle", "attributes_key_map": {"town": "myevent.city"},
              "extras": {"zip": "07054"}})",
          bundle);
  CHECK(r.text() == json(R"([{"name":"Fred","town":"Bedrock","zip":"07054"},
                              {"name":"Barney","town":"Bedrock","zip":"07054"}])"));

  // A missing attribute path is skipped with a warning.
  r = run("event_splitter",
          R"({"splitter_key": "myevent.bundle",
              "attributes_key_map": {"town": "myevent.village", "c": "myevent.city"}})",
          bundle);
  CHECK(r.result.ok);
  CHECK(r.result.warning ==
        "event_splitter: attributes_key_map path myevent.village missing, skipping");
  CHECK(r.text() == json(R"([{"name":"Fred","c":"Bedrock"},{"name":"Barney","c":"Bedrock"}])"));
}

TEST_CASE("event_splitter: a missing splitter_key leaves the event intact or raises") {
  auto r = run("event_splitter", R"({"splitter_key": "myevent.missing"})", bundle);
  CHECK(r.result.ok);
  CHECK(r.result.warning ==
        "event_splitter: key myevent.missing doesn't exist, leaving event intact");
  CHECK(r.text() == json("[" + bundle + "]"));

  r = run("event_splitter", R"({"splitter_key": "myevent.missing", "raise_error": true})", bundle);
  CHECK_FALSE(r.result.ok);
  CHECK(r.result.error == "event_splitter: key myevent.missing doesn't exist");
  CHECK(r.out.empty());
}

TEST_CASE("event_splitter: mapped values and extras overwrite the item's keys in place") {
  auto r = run("eda.builtin.event_splitter",
               R"({"splitter_key": "incident.alerts",
                   "attributes_key_map": {"id": "incident.id", "sev": "incident.severity",
                                          "first": "incident.alerts.0.host"},
                   "extras": {"region": "us-east", "sev": "static"}})",
               R"({"incident": {"id": 7, "severity": {"level": 3},
                   "alerts": [{"sev": "low", "host": "h1"}, {"host": "h2"}]},
                   "meta": {"uuid": "u"}})");
  CHECK(r.result.ok);
  CHECK(r.text() == json(R"([{"sev":"static","host":"h1","id":7,"first":"h1","region":"us-east"},
                 {"host":"h2","id":7,"sev":"static","first":"h1","region":"us-east"}])"));
}

TEST_CASE("event_splitter: one event becomes zero or many") {
  auto r = run("event_splitter", R"({"splitter_key": "items"})", R"({"items": []})");
  CHECK(r.result.ok);
  CHECK(r.out.empty());

  std::string many = R"({"items": [)";
  for (int i = 0; i < 100; ++i)
    many += (i ? "," : "") + std::string(R"({"i":)") + std::to_string(i) + "}";
  many += "]}";
  r = run("event_splitter", R"({"splitter_key": "items", "extras": {"x": [1, 2]}})", many);
  REQUIRE(r.out.size() == 100);
  CHECK(r.out[0].dump() == R"({"i":0,"x":[1,2]})");
  CHECK(r.out[99].dump() == R"({"i":99,"x":[1,2]})");

  // The splitter key may point at a top-level list or go through list indexes.
  r = run("event_splitter", R"({"splitter_key": "b.1.c"})",
          R"({"b": [0, {"c": [{"n": 1}, {"n": 2}]}]})");
  CHECK(r.text() == json(R"([{"n":1},{"n":2}])"));

  // Appends after whatever is already in `out`.
  auto f = make("event_splitter", R"({"splitter_key": "l"})");
  std::vector<rb::value> out{rb::value("earlier")};
  CHECK(f->apply(rb::value::parse(R"({"l": [{"a": 1}]})"), out).ok);
  CHECK(rb::value(out).dump() == R"(["earlier",{"a":1}])");
}

TEST_CASE("event_splitter: values ansible-rulebook cannot split are errors") {
  auto r = run("event_splitter", R"({"splitter_key": "items"})", R"({"items": {"a": 1}})");
  CHECK_FALSE(r.result.ok);
  CHECK(r.result.error == R"(event_splitter: the value at items is not a list: {"a":1})");
  CHECK(r.out.empty());

  r = run("event_splitter", R"({"splitter_key": "items"})", R"({"items": [{"a": 1}, 2]})");
  CHECK_FALSE(r.result.ok);
  CHECK(r.result.error == "event_splitter: item 1 at items is not a mapping: 2");
  CHECK(r.out.empty());

  r = run("event_splitter", R"({"splitter_key": "*.l"})", R"({"a": {"l": []}, "b": {"l": []}})");
  CHECK_FALSE(r.result.ok);
  CHECK(r.result.error == "event_splitter: splitter_key *.l matches more than one value");

  r = run("event_splitter", R"({"splitter_key": "l", "attributes_key_map": {"x": "*.v"}})",
          R"({"l": [{}], "a": {"v": 1}, "b": {"v": 2}})");
  CHECK_FALSE(r.result.ok);
  CHECK(r.result.error ==
        "event_splitter: attributes_key_map path *.v matches more than one value");
}

TEST_CASE("event_splitter: an empty string or mapping at splitter_key yields nothing") {
  // Python iterates whatever it finds: "" and {} give no items, hence no events and no error;
  // the attribute map is still read first (its warnings come as for an empty list).
  for (const char* empty : {R"("")", "{}", "[]"}) {
    CAPTURE(empty);
    auto r = run("event_splitter",
                 R"({"splitter_key": "items", "attributes_key_map": {"x": "nothere"},
                     "extras": {"e": 1}})",
                 std::string(R"({"items": )") + empty + "}");
    CHECK(r.result.ok);
    CHECK(r.result.warning == "event_splitter: attributes_key_map path nothere missing, skipping");
    CHECK(r.out.empty());
  }
  // Non-empty ones are still errors (Python fails on their characters or keys).
  for (const char* bad : {R"("ab")", R"({"a": {}})", "0", "null", "true"}) {
    CAPTURE(bad);
    auto r = run("event_splitter", R"({"splitter_key": "items"})",
                 std::string(R"({"items": )") + bad + "}");
    CHECK_FALSE(r.result.ok);
    CHECK(r.out.empty());
  }
}

TEST_CASE("event_splitter: bad arguments") {
  CHECK(build_error("event_splitter", "") ==
        "event_splitter: argument 'splitter_key' must be given, as a non-empty string");
  CHECK(build_error("event_splitter", R"({"splitter_key": ""})") ==
        "event_splitter: argument 'splitter_key' must be given, as a non-empty string");
  CHECK(build_error("event_splitter", R"({"splitter_key": ["a"]})") ==
        "event_splitter: argument 'splitter_key' must be a string");
  CHECK(build_error("event_splitter", R"({"splitter_key": "a", "attributes_key_map": ["x"]})") ==
        "event_splitter: argument 'attributes_key_map' must be a mapping");
  CHECK(build_error("event_splitter", R"({"splitter_key": "a", "attributes_key_map": {"x": 1}})") ==
        "event_splitter: argument 'attributes_key_map' must be a mapping of names to key paths");
  CHECK(build_error("event_splitter", R"({"splitter_key": "a", "extras": "x"})") ==
        "event_splitter: argument 'extras' must be a mapping");
  CHECK(build_error("event_splitter", R"({"splitter_key": "a", "raise_error": "x"})") ==
        "event_splitter: argument 'raise_error' must be true or false");
  CHECK(build_error("event_splitter", R"({"splitter_key": "a", "attribute_key_map": {}})") ==
        "event_splitter: unknown argument 'attribute_key_map' (allowed: splitter_key, "
        "attributes_key_map, extras, raise_error)");
  CHECK(build_error("event_splitter", R"({"splitter_key": "a", "extras": null})").empty());
}
