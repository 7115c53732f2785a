// eda.builtin.monitors with the real binary: slots aligned to the interval and consecutive.
#include <map>

#include "conformance.h"
#include "core/clock.h"

using namespace conformance;

TEST_CASE("monitors: each monitor once per interval at its aligned slot, for ~3 s") {
  const auto o = run("sources_monitors.yml");
  CHECK(o.run.exit_code == 0);
  std::map<std::string, std::vector<std::int64_t>> slots;
  for (const value& r : o.action_records()) {
    if (r["rule"] != "slot") continue;
    const value& e = r["matching_events"]["m"];
    const auto scheduled = rb::parse_utc_iso(e["scheduled_at"].get<std::string>());
    const auto received = rb::parse_utc_iso(e["meta"]["received_at"].get<std::string>());
    REQUIRE(scheduled.has_value());
    REQUIRE(received.has_value());
    CHECK(*received >= *scheduled);  // never before its slot
    CHECK(*received - *scheduled < 200'000);
    CHECK(e["meta"]["source"]["type"] == "eda.builtin.monitors");
    slots[e["monitor"]["name"].get<std::string>()].push_back(*scheduled / 1000);
    if (e["monitor"]["name"] == "api") {
      CHECK(without_meta(e)["monitor"] ==
            value::parse(R"({"name": "api", "url": "http://127.0.0.1:9/api", "method": "POST",
                "headers": {"Accept": "application/json"}, "body": "", "interval": 1,
                "timeout": 2, "expect": {"status": [200]}, "datacenter": "VA"})"));
    }
  }
  REQUIRE(slots.size() == 2);
  for (const auto& [name, s] : slots) {
    CAPTURE(name);
    CHECK(s.size() >= 3);
    CHECK(s.size() <= 5);
    // FNV-1a 64 of the name, mod 1000 ms (docs/sources.md).
    const std::int64_t offset = name == "home" ? 774 : 879;
    for (std::size_t i = 0; i < s.size(); ++i) {
      CHECK(s[i] % 1000 == offset);
      if (i) CHECK(s[i] - s[i - 1] == 1000);
    }
  }
  // The run ended by the shutdown rule. Its once_after window ends 3 s after home's first slot,
  // the instant home's fourth slot arrives: that slot's record may come just before or after.
  const auto acts = o.actions();
  REQUIRE(acts.size() >= 2);
  CHECK((acts.back() == "stop::shutdown" ||
         (acts[acts.size() - 2] == "stop::shutdown" && acts.back() == "slot::noop")));
}

TEST_CASE("monitors: bad monitors are start-up errors naming the source and the monitor") {
  rb::test::temp_dir dir;
  const std::string rb = dir.write("bad.yml", R"(
- name: bad
  hosts: all
  sources:
    - monitors:
        monitors:
          - name: a
            url: http://127.0.0.1:9/
            interval: 0
  rules:
    - name: r
      condition: true
      action:
        none:
)");
  const auto r = rb::test::run_rulebook({"-r", rb});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("monitors: argument 'monitors': monitor 'a': 'interval' must be a number of "
                   "seconds more than 0, got 0") != std::string::npos);
}
