// Throttles on single-condition rules. Example numbers refer to ansible-rulebook's
// tests/examples/*.yml and test_examples.py.
#include "match_test_util.h"

using namespace mt;

namespace {
const char* warning_a = R"({"alert": {"level": "warning"}, "meta": {"hosts": "HostA"}})";
const char* error_a = R"({"alert": {"level": "error"}, "meta": {"hosts": "HostA"}})";
const char* warning_b = R"({"alert": {"level": "warning"}, "meta": {"hosts": "HostB"}})";

rule alert_rule(throttle_spec::kind k, std::chrono::milliseconds w, long threshold = 1) {
  return throttled(
      single("r1", R"(event.alert.level == "warning" or event.alert.level == "error")"), k, w,
      {"event.meta.hosts", "event.alert.level"}, threshold);
}
}  // namespace

TEST_CASE("52 once within: one firing per group per window") {
  harness h(rules(alert_rule(throttle_spec::kind::once_within, 2s)));
  std::size_t fired = 0;
  for (int loop = 0; loop < 20; ++loop) {
    fired += h.event(warning_a, loop * 0.01).size();
    fired += h.event(error_a, loop * 0.01).size();
  }
  CHECK(fired == 2);
  CHECK(h.event(warning_a, 2.5).size() == 1);  // the window is over
}

TEST_CASE("53 once within multiple hosts: hosts are separate groups") {
  harness h(rules(alert_rule(throttle_spec::kind::once_within, 2s)));
  std::size_t fired = 0;
  for (int loop = 0; loop < 20; ++loop) {
    fired += h.event(warning_a, 0).size();
    fired += h.event(warning_b, 0).size();
  }
  CHECK(fired == 2);
}

TEST_CASE("once_within: suppressed events are used up by the rule") {
  harness h(rules(alert_rule(throttle_spec::kind::once_within, 2s),
                  single("other", "event.alert is defined")));
  CHECK(h.event(warning_a, 0).size() == 1);
  CHECK(h.event(warning_a, 1).empty());
}

TEST_CASE("56 once after: one firing at the end of the window with one event per group") {
  harness h(rules(alert_rule(throttle_spec::kind::once_after, 10s)));
  const char* h0 = R"({"alert": {"level": "warning"}, "meta": {"hosts": "localhost0"}})";
  const char* h1 = R"({"alert": {"level": "warning"}, "meta": {"hosts": "localhost1"}})";
  CHECK(h.event(h0, 0).empty());
  CHECK(h.event(h1, 0).empty());
  CHECK(h.event(h0, 1).empty());
  CHECK(h.event(h1, 1).empty());
  REQUIRE(h.m.next_deadline());
  CHECK(*h.m.next_deadline() == h.at(10));
  CHECK(h.time(9).empty());
  const auto got = h.time(10);
  CHECK(got == strings{std::string("r1 {\"m_0\":") + value::parse(h0).dump() +
                       ",\"m_1\":" + value::parse(h1).dump() + "}"});
  CHECK_FALSE(h.m.next_deadline());
  CHECK(h.m.held() == 0);
}

TEST_CASE("once_after with one group reports the event as m") {
  harness h(rules(alert_rule(throttle_spec::kind::once_after, 10s)));
  CHECK(h.event(warning_a, 0).empty());
  CHECK(h.event(warning_a, 3).empty());
  CHECK(h.time(10) == strings{std::string("r1 {\"m\":") + value::parse(warning_a).dump() + "}"});
}

TEST_CASE("57 once after multiple: each rule has its own window") {
  auto rule_for = [](const char* name, const char* key, std::chrono::milliseconds w) {
    const std::string cond = std::string("event.") + key + ".level == \"warning\"";
    return throttled(single(name, cond), throttle_spec::kind::once_after, w,
                     {"event.meta.hosts", std::string("event.") + key + ".level"});
  };
  harness h(rules(rule_for("r1", "r1", 15s), rule_for("r2", "r2", 30s), rule_for("r3", "r3", 45s)));
  std::size_t fired = 0;
  for (int loop = 0; loop < 3; ++loop) {
    const double t = loop * 18;
    fired += h.time(t).size();
    for (const char* key : {"r1", "r2", "r3"})
      for (int host = 1; host <= 2; ++host)
        fired += h.event(std::string("{\"") + key +
                             "\": {\"level\": \"warning\"}, \"meta\": {\"hosts\": \"h" +
                             std::to_string(host) + "\"}}",
                         t)
                     .size();
  }
  fired += h.time(60).size();
  // r1: windows ending at 15, 33, 51; r2: 30 (the window opened at 36 ends at 66); r3: 45.
  CHECK(fired == 5);
}

TEST_CASE("95 accumulate within: fires on the threshold-th event of a group") {
  harness h(rules(throttled(single("r1", "event.level == 'error'"),
                            throttle_spec::kind::accumulate_within, 60s,
                            {"event.level", "event.code"}, 3)));
  strings got;
  double t = 0;
  for (int loop = 0; loop < 2; ++loop) {
    for (const char* ev : {R"({"name": "alert1", "level": "error", "code": 205})",
                           R"({"name": "alert2", "level": "warning", "code": 207})",
                           R"({"name": "alert3", "level": "error", "code": 205})"}) {
      for (auto& s : h.event(ev, t)) got.push_back(s);
      t += 1;
    }
  }
  // error/205 arrives 4 times: the 3rd (alert1 of the second loop) fires, the 4th starts over.
  CHECK(got == strings{R"(r1 {"m":{"name":"alert1","level":"error","code":205}})"});
}

TEST_CASE("accumulate_within: a window ending short of the threshold is forgotten") {
  harness h(rules(throttled(single("r", "event.level == 'error'"),
                            throttle_spec::kind::accumulate_within, 10s, {"event.level"}, 2)));
  CHECK(h.event(R"({"level": "error"})", 0).empty());
  CHECK(h.event(R"({"level": "error"})", 11).empty());  // a new window
  CHECK(h.event(R"({"level": "error"})", 12).size() == 1);
}

TEST_CASE("throttle groups are forgotten after their window: memory follows live groups") {
  harness h(rules(throttled(single("r", "event.host is defined"), throttle_spec::kind::once_within,
                            1s, {"event.host"})));
  for (int i = 0; i < 10000; ++i) h.event("{\"host\": " + std::to_string(i) + "}", i * 0.01);
  CHECK(h.m.held() < 400);
}

TEST_CASE("a missing group attribute is a group of its own") {
  harness h(rules(throttled(single("r", "event.x == 1"), throttle_spec::kind::once_within, 1s,
                            {"event.host"})));
  CHECK(h.event(R"({"x": 1})").size() == 1);
  CHECK(h.event(R"({"x": 1})").empty());
  CHECK(h.event(R"({"x": 1, "host": null})").size() == 1);
}
