// default_events_ttl: partial matches expire, memory follows the TTL, not the event count.
#include "match_test_util.h"

using namespace mt;

TEST_CASE("77 default events ttl: an event older than the TTL no longer completes a match") {
  harness h(rules(all("r1", {"event.i == 1", "event.j == 2"}), single("r2", "event.k == 3")), false,
            2s);
  CHECK(h.event(R"({"i": 1})", 0).empty());
  CHECK(h.event(R"({"j": 2})", 4).empty());
  CHECK(h.event(R"({"k": 3})", 8) == strings{R"(r2 {"m":{"k":3}})"});
}

TEST_CASE("within the TTL the match completes") {
  harness h(rules(all("r1", {"event.i == 1", "event.j == 2"})), false, 2s);
  CHECK(h.event(R"({"i": 1})", 0).empty());
  CHECK(h.event(R"({"j": 2})", 1.5).size() == 1);
}

TEST_CASE("memory is bounded by the TTL however many events never complete") {
  harness h(rules(all("r", {"event.i >= 0", "event.never == 1"})), false, 1s);
  std::size_t peak = 0;
  for (int i = 0; i < 20000; ++i) {
    h.event(R"({"i": )" + std::to_string(i) + "}", i * 0.001);  // 1,000 events a second
    peak = std::max(peak, h.m.held());
  }
  CHECK(peak <= 1001);
  CHECK(h.m.held() >= 999);
  h.time(100);
  CHECK(h.m.held() == 0);
}

TEST_CASE("events matching no condition are never held") {
  harness h(rules(all("r", {"event.a == 1", "event.b == 1"})));
  for (int i = 0; i < 1000; ++i) h.event(R"({"c": 1})", 0);
  CHECK(h.m.held() == 0);
}

TEST_CASE("used-up events behind a long-lived one do not pile up") {
  harness h(rules(all("r", {"event.a is defined", "event.b == events.m_0.a"})));
  CHECK(h.event(R"({"a": 999})").empty());  // oldest, never completes
  for (int i = 0; i < 5000; ++i) {
    CHECK(h.event(R"({"a": 1})").empty());
    CHECK(h.event(R"({"b": 1})").size() == 1);
  }
  CHECK(h.m.held() < 200);
}

TEST_CASE("an all timeout replaces the TTL for its rule") {
  harness h(rules(with_timeout(all("r", {"event.a == 1", "event.b == 1"}), 1h)), false, 1s);
  CHECK(h.event(R"({"a": 1})", 0).empty());
  CHECK(h.event(R"({"b": 1})", 600).size() == 1);
}

TEST_CASE("a condition reading another event's binding keeps only events its other parts allow") {
  harness h(rules(all(
      "r", {R"(event.kind == "open")", R"(event.kind == "close" and event.id == events.m_0.id)"})));
  for (int i = 0; i < 1000; ++i) CHECK(h.event(R"({"kind": "noise", "id": 1})").empty());
  CHECK(h.m.held() == 0);
  CHECK(h.event(R"({"kind": "close", "id": 2})").empty());  // may pair with a later open
  CHECK(h.m.held() == 1);
  CHECK(h.event(R"({"kind": "open", "id": 2})").size() == 1);
  CHECK(h.m.held() == 0);
}
