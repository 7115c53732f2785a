// all / any / not_all, references between conditions, consumption across rules. Example numbers
// refer to ansible-rulebook's tests/examples/*.yml and test_examples.py.
#include "match_test_util.h"

using namespace mt;

TEST_CASE("15 multiple events all: m_0 and m_1 in condition order") {
  harness h(rules(all("r1", {"event.nested.i == 1", "event.nested.j == 1"})));
  CHECK(h.event(R"({"nested": {"i": 1, "j": 0}})").empty());
  CHECK(h.event(R"({"nested": {"i": 0, "j": 1}})") ==
        strings{R"(r1 {"m_0":{"nested":{"i":1,"j":0}},"m_1":{"nested":{"i":0,"j":1}}})"});
}

TEST_CASE("18 multiple sources all: events in any order") {
  harness h(rules(all("r1", {"event.i == 1", "event.range2.i == 1"})));
  CHECK(h.event(R"({"range2": {"i": 1}})").empty());
  CHECK(h.event(R"({"i": 1})") == strings{R"(r1 {"m_0":{"i":1},"m_1":{"range2":{"i":1}}})"});
}

TEST_CASE("16 multiple events any: fires on one event, named after its condition") {
  harness h(rules(any("r1", {"event.nested.i == 1", "event.nested.j == 1"})));
  CHECK(h.event(R"({"nested": {"i": 1, "j": 0}})") ==
        strings{R"(r1 {"m_0":{"nested":{"i":1,"j":0}}})"});
}

TEST_CASE("17 multiple sources any: m_0 then m_1") {
  harness h(rules(any("r1", {"event.i == 1", "event.range2.i == 1"})));
  CHECK(h.event(R"({"i": 1})") == strings{R"(r1 {"m_0":{"i":1}})"});
  CHECK(h.event(R"({"range2": {"i": 1}})") == strings{R"(r1 {"m_1":{"range2":{"i":1}}})"});
}

TEST_CASE("any: one event satisfying two conditions fires once, as the first") {
  harness h(rules(any("r", {"event.a == 1", "event.b == 1"})));
  CHECK(h.event(R"({"a": 1, "b": 1})") == strings{R"(r {"m_0":{"a":1,"b":1}})"});
}

TEST_CASE("any with assignments reports the assigned name") {
  harness h(rules(any("r", {"events.match << event.t == 85", "events.match << event.u == 1"})));
  CHECK(h.event(R"({"u": 1})") == strings{R"(r {"match":{"u":1}})"});
}

TEST_CASE("all with assignments reports the assigned names") {
  harness h(rules(all("r", {"events.first << event.i == 0", "events.second << event.i == 1",
                            "events.third << event.i == events.first.i + 2"})));
  CHECK(h.event(R"({"i": 2})").empty());  // third before first: waits
  CHECK(h.event(R"({"i": 0})").empty());
  CHECK(h.event(R"({"i": 1})") ==
        strings{R"(r {"first":{"i":0},"second":{"i":1},"third":{"i":2}})"});
}

TEST_CASE("75 all conditions: an earlier event reads a name bound by a later one") {
  harness h(rules(all(
      "r1", {R"(event.request.type == "Delete")",
             R"(event.friend_list.names is select("search", events.m_0.request.friend_name))"})));
  CHECK(h.event(R"({"friend_list": {"names": ["fred", "barney"]}})").empty());
  CHECK(
      h.event(R"({"request": {"type": "Delete", "friend_name": "fred"}})") ==
      strings{
          R"(r1 {"m_0":{"request":{"type":"Delete","friend_name":"fred"}},"m_1":{"friend_list":{"names":["fred","barney"]}}})"});
}

TEST_CASE("76 all conditions: several partial matches, each firing with its own events") {
  harness h(rules(all(
      "r1", {R"(event.request.type == "Delete")",
             R"(event.friend_list.names is select("search", events.m_0.request.friend_name))"})));
  CHECK(h.event(R"({"request": {"type": "Delete", "friend_name": "fred"}})").empty());
  CHECK(h.event(R"({"request": {"type": "Delete", "friend_name": "wilma"}})").empty());
  CHECK(
      h.event(R"({"friend_list": {"names": ["wilma", "betty"]}})") ==
      strings{
          R"(r1 {"m_0":{"request":{"type":"Delete","friend_name":"wilma"}},"m_1":{"friend_list":{"names":["wilma","betty"]}}})"});
  CHECK(
      h.event(R"({"friend_list": {"names": ["fred", "barney"]}})") ==
      strings{
          R"(r1 {"m_0":{"request":{"type":"Delete","friend_name":"fred"}},"m_1":{"friend_list":{"names":["fred","barney"]}}})"});
  CHECK(h.m.held() == 0);
}

TEST_CASE("all: partial matches are used oldest first, one firing per completing event") {
  harness h(rules(all("r", {"event.a is defined", "event.b is defined"})));
  CHECK(h.event(R"({"a": 1})").empty());
  CHECK(h.event(R"({"a": 2})").empty());
  CHECK(h.event(R"({"b": 1})") == strings{R"(r {"m_0":{"a":1},"m_1":{"b":1}})"});
  CHECK(h.event(R"({"b": 2})") == strings{R"(r {"m_0":{"a":2},"m_1":{"b":2}})"});
  CHECK(h.event(R"({"b": 3})").empty());
  CHECK(h.m.held() == 1);
}

TEST_CASE("all: one event cannot satisfy two conditions of the same firing") {
  harness h(rules(all("r", {"event.i == 1", "event.i == 1"})));
  CHECK(h.event(R"({"i": 1})").empty());
  // The newest event takes the first condition it satisfies; older ones fill the rest.
  CHECK(h.event(R"({"i": 1, "second": true})") ==
        strings{R"(r {"m_0":{"i":1,"second":true},"m_1":{"i":1}})"});
}

TEST_CASE("all: an event satisfying both conditions pairs with a stored one") {
  harness h(rules(all("r", {"event.x == 1", "event.y == 1"})));
  CHECK(h.event(R"({"x": 1, "y": 1})").empty());
  CHECK(h.event(R"({"x": 1, "y": 1, "n": 2})").size() == 1);
}

TEST_CASE("all: default assignments chain m_0 into a later condition") {
  harness h(rules(all("r", {"event.i == 1", "event.i == 2", "event.i == events.m_0.i + 3"})));
  CHECK(h.event(R"({"i": 4})").empty());
  CHECK(h.event(R"({"i": 2})").empty());
  CHECK(h.event(R"({"i": 1})") == strings{R"(r {"m_0":{"i":1},"m_1":{"i":2},"m_2":{"i":4}})"});
}

TEST_CASE("consumption: a firing takes its events out of other rules' partial matches") {
  harness h(rules(all("r1", {"event.i == 1", "event.j == 2"}),
                  all("r2", {"event.i == 1", "event.k == 3"})));
  CHECK(h.event(R"({"i": 1})").empty());
  CHECK(h.event(R"({"k": 3})") == strings{R"(r2 {"m_0":{"i":1},"m_1":{"k":3}})"});
  CHECK(h.event(R"({"j": 2})").empty());  // i was used up by r2
}

TEST_CASE("consumption: a later single rule uses up an event an earlier all rule stored") {
  harness h(rules(all("r1", {"event.i == 1", "event.j == 2"}), single("r2", "event.i == 1")));
  CHECK(h.event(R"({"i": 1})") == strings{R"(r2 {"m":{"i":1}})"});
  CHECK(h.event(R"({"j": 2})").empty());
}

TEST_CASE("consumption: an earlier rule firing hides the event from later rules") {
  harness h(rules(single("r1", "event.i == 1"), all("r2", {"event.i == 1", "event.j == 2"})));
  CHECK(h.event(R"({"i": 1})").size() == 1);
  CHECK(h.event(R"({"j": 2})").empty());
  CHECK(h.m.held() == 1);  // only j waits
}

TEST_CASE("match_multiple_rules: partial matches survive a peer's firing") {
  harness h(rules(single("r1", "event.i == 1"), all("r2", {"event.i == 1", "event.j == 2"})), true);
  CHECK(h.event(R"({"i": 1})") == strings{R"(r1 {"m":{"i":1}})"});
  CHECK(h.event(R"({"j": 2})") == strings{R"(r2 {"m_0":{"i":1},"m_1":{"j":2}})"});
}

TEST_CASE("match_multiple_rules: an event fires the same all rule only once") {
  harness h(rules(all("r", {"event.a is defined", "event.b is defined"})), true);
  CHECK(h.event(R"({"a": 1})").empty());
  CHECK(h.event(R"({"b": 1})").size() == 1);
  CHECK(h.event(R"({"b": 2})").empty());
}

TEST_CASE("54 time window: all with timeout fires only within the window") {
  harness h(rules(
      with_timeout(all("maint", {"event.alert.code == 1001", "event.alert.code == 1002"}), 10s)));
  CHECK(h.event(R"({"alert": {"code": 1001}})", 0).empty());
  CHECK(h.event(R"({"alert": {"code": 1002}})", 5) ==
        strings{R"(maint {"m_0":{"alert":{"code":1001}},"m_1":{"alert":{"code":1002}}})"});
  CHECK(h.event(R"({"alert": {"code": 1001}})", 20).empty());
  CHECK(h.event(R"({"alert": {"code": 1002}})", 31).empty());      // 11 s apart: expired
  CHECK(h.event(R"({"alert": {"code": 1001}})", 35).size() == 1);  // with the 1002 at 31
}

TEST_CASE("55 not all: fires at the timeout with the event that opened the window") {
  harness h(rules(
      not_all("maint failed", {"event.alert.code == 1001", "event.alert.code == 1002"}, 10s)));
  CHECK(h.event(R"({"alert": {"code": 1001}})", 0).empty());
  REQUIRE(h.m.next_deadline());
  CHECK(*h.m.next_deadline() == h.at(10));
  CHECK(h.time(9.9).empty());
  CHECK(h.time(10) == strings{R"(maint failed {"m_0":{"alert":{"code":1001}}})"});
  CHECK_FALSE(h.m.next_deadline());
  // Second window: opened by the second condition, reported under its name.
  CHECK(h.event(R"({"alert": {"code": 1002}})", 15).empty());
  CHECK(h.time(25) == strings{R"(maint failed {"m_1":{"alert":{"code":1002}}})"});
}

TEST_CASE("not_all: all conditions within the window close it without firing") {
  harness h(rules(not_all("r", {"event.a == 1", "event.b == 1", "event.c == 1"}, 5s)));
  CHECK(h.event(R"({"a": 1})", 0).empty());
  CHECK(h.event(R"({"a": 1})", 1).empty());  // a condition counts once
  CHECK(h.event(R"({"b": 1})", 2).empty());
  CHECK(h.event(R"({"c": 1})", 3).empty());
  CHECK(h.time(10).empty());
  CHECK(h.m.held() == 0);
}

TEST_CASE("not_all: an overdue window fires before the next event is matched") {
  harness h(rules(not_all("r", {"event.a == 1", "event.b == 1"}, 5s)));
  CHECK(h.event(R"({"a": 1})", 0).empty());
  CHECK(h.event(R"({"b": 1})", 6) == strings{R"(r {"m_0":{"a":1}})"});
  // b opened a new window
  CHECK(h.time(11) == strings{R"(r {"m_1":{"b":1}})"});
}

TEST_CASE("not_all does not use the event up: later rules still see it") {
  harness h(rules(not_all("r", {"event.a == 1", "event.b == 1"}, 5s), single("s", "event.a == 1")));
  CHECK(h.event(R"({"a": 1})", 0) == strings{R"(s {"m":{"a":1}})"});
  CHECK(h.time(5) == strings{R"(r {"m_0":{"a":1}})"});
}
