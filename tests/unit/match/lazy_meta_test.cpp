// Events offered with their meta still pending (core/event_meta.h): meta is written when the
// event leaves the matcher in a firing, and rules that read meta make the ruleset ask for it on
// arrival (reads_meta).
#include "match_test_util.h"

using namespace mt;

namespace {

std::vector<firing> offer(ruleset_matcher& m, const char* json, rb::pending_meta meta,
                          rb::match::time_point now) {
  std::vector<firing> out;
  m.on_event(value::parse(json), meta, now, out);
  return out;
}

}  // namespace

TEST_CASE("a held event gets the meta it arrived with when it fires") {
  ruleset_matcher m(rules(all("r", {"event.a == 1", "event.b == 1"})), {});
  const auto* src = rb::intern_event_source("ticks", "generic");
  CHECK(rb::intern_event_source("ticks", "generic") == src);  // interned
  const auto now = std::chrono::steady_clock::now();
  const rb::pending_meta first{src, 1'700'000'000'000'001};  // 2023-11-14T22:13:20.000001Z
  CHECK(offer(m, R"({"a": 1})", first, now).empty());
  const auto out = offer(m, R"({"b": 1})", rb::meta_now(src), now);
  REQUIRE(out.size() == 1);
  const auto events = out[0].events();
  REQUIRE(events.size() == 2);
  const value& a = *events[0].event;
  CHECK(a["a"] == 1);
  CHECK(a["meta"]["source"] == value::parse(R"({"name": "ticks", "type": "generic"})"));
  CHECK(a["meta"]["received_at"] == "2023-11-14T22:13:20.000001Z");
  CHECK(a["meta"]["uuid"].get<std::string>().size() == 36);
  CHECK((*events[1].event)["meta"]["source"]["name"] == "ticks");
}

TEST_CASE("meta already in the event is completed where absent, in place") {
  ruleset_matcher m(rules(single("r", "event.i == 1")), {});
  const auto* src = rb::intern_event_source("s", "t");
  const auto out = offer(m, R"({"i": 1, "meta": {"hosts": ["h"], "uuid": "given"}})",
                         rb::pending_meta{src, 0}, std::chrono::steady_clock::now());
  REQUIRE(out.size() == 1);
  CHECK(out[0].first().dump() ==
        R"({"i":1,"meta":{"hosts":["h"],"uuid":"given","source":{"name":"s","type":"t"},)"
        R"("received_at":"1970-01-01T00:00:00.000000Z"}})");
}

TEST_CASE("reads_meta: conditions and throttles that may read meta") {
  CHECK_FALSE(ruleset_matcher(rules(single("r", "event.i == 1")), {}).reads_meta());
  CHECK_FALSE(ruleset_matcher(rules(all("r", {"event.i == 1", "event.j == events.m_0.i"})), {})
                  .reads_meta());
  CHECK(ruleset_matcher(rules(single("r", "event.meta.source.name == 'x'")), {}).reads_meta());
  CHECK(
      ruleset_matcher(rules(single("r", "event.i == 1"), single("q", "event.meta is defined")), {})
          .reads_meta());
  CHECK(ruleset_matcher(rules(all("r", {"event.i == 1", "event.j == events.m_0.meta.uuid"})), {})
            .reads_meta());
  CHECK(
      ruleset_matcher(rules(throttled(single("r", "event.i == 1"), throttle_spec::kind::once_within,
                                      1s, {"event.meta.hosts"})),
                      {})
          .reads_meta());
}

TEST_CASE("a fact asserted with pending meta shows it wherever it is read") {
  ruleset_matcher m(rules(single("r", "fact.n == 1")), {});
  const auto* src = rb::intern_event_source("set_fact", "internal");
  std::vector<firing> out;
  m.assert_fact(value::parse(R"({"n": 1})"), rb::pending_meta{src, 0, 42},
                std::chrono::steady_clock::now(), out);
  REQUIRE(out.size() == 1);
  const value& fired = out[0].first();
  CHECK(fired["meta"]["source"]["name"] == "set_fact");
  const auto facts = m.facts();
  REQUIRE(facts.size() == 1);
  CHECK(*facts[0] == fired);  // the same fact, written once
  // Equal but for meta: replaced, not added.
  out.clear();
  m.assert_fact(value::parse(R"({"n": 1.0})"), rb::pending_meta{src, 5, 43},
                std::chrono::steady_clock::now(), out);
  CHECK(m.facts().size() == 1);
  CHECK(m.retract_fact(value::parse(R"({"n": 1})"), false) == 1);
}
