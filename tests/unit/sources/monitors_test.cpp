// The `monitors` source: slot arithmetic (pure), arguments, emission on short intervals with the
// real clock, back-pressure, HA leadership changes and reloads from a scripted catalog. The
// PostgreSQL catalog is tested against a real server in tests/unit/monitors.
#include <doctest/doctest.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <deque>
#include <map>
#include <set>

#include "core/clock.h"
#include "source_harness.h"
#include "sources/builtin/monitor_schedule.h"
#include "sources/builtin/monitors_source.h"

using namespace rb::sources;
using namespace rb::sources::test;
using rb::value;
namespace ms = rb::sources::monitors;

namespace {

std::int64_t slot_of(const value& event) {
  const auto us = rb::parse_utc_iso(event["scheduled_at"].get<std::string>());
  REQUIRE(us.has_value());
  return *us / 1000;
}

// Monitors answered by a script of loads, on the loop (as the PostgreSQL catalog does).
struct scripted_catalog final : rb::monitor_catalog {
  boost::asio::io_context& io;
  std::deque<std::pair<value, std::string>>* answers;
  int* loads;
  scripted_catalog(boost::asio::io_context& io, std::deque<std::pair<value, std::string>>* a,
                   int* n)
      : io(io), answers(a), loads(n) {}
  void load(std::function<void(value, std::string)> done) override {
    ++*loads;
    auto answer = answers->size() > 1 ? answers->front() : answers->back();
    if (answers->size() > 1) answers->pop_front();
    boost::asio::post(io, [done = std::move(done), answer] { done(answer.first, answer.second); });
  }
};

value monitor(const std::string& name, double interval) {
  return {{"name", name}, {"url", "http://127.0.0.1:9/" + name}, {"interval", interval}};
}

}  // namespace

TEST_CASE("monitors: slots are aligned to the interval, shifted by a stable offset of the name") {
  CHECK(ms::name_hash("") == 14695981039346656037ull);  // FNV-1a 64 of nothing: its basis
  CHECK(ms::name_hash("a") == 0xaf63dc4c8601ec8cull);
  CHECK(ms::slot_offset_ms("api-1", 10'000) == ms::slot_offset_ms("api-1", 10'000));
  CHECK(ms::slot_offset_ms("api-1", 10'000) != ms::slot_offset_ms("api-2", 10'000));
  for (const std::int64_t interval : {1, 7, 1000, 10'000, 3'600'000}) {
    for (const std::int64_t offset : {std::int64_t{0}, interval / 2, interval - 1}) {
      for (const std::int64_t now :
           {std::int64_t{0}, std::int64_t{1}, std::int64_t{999}, std::int64_t{1'795'000'000'000},
            std::int64_t{1'795'000'000'123}}) {
        const std::int64_t slot = ms::next_slot_ms(now, interval, offset);
        CAPTURE(interval);
        CAPTURE(offset);
        CAPTURE(now);
        CHECK(slot >= now);                                       // never earlier than now
        CHECK(slot - now < interval);                             // and the very next one
        CHECK((slot - offset) % interval == 0);                   // on the grid
        CHECK(ms::next_slot_ms(slot, interval, offset) == slot);  // due exactly at its time
        CHECK(ms::next_slot_ms(slot + 1, interval, offset) == slot + interval);
      }
    }
  }
}

TEST_CASE("monitors: 10,000 monitors at 10 s spread over the interval") {
  std::vector<int> per_100ms(100, 0);
  for (int i = 0; i < 10'000; ++i)
    ++per_100ms[ms::slot_offset_ms("monitor-" + std::to_string(i), 10'000) / 100];
  // 100 per bucket on average; a hash that clumps would put many more in one.
  CHECK(*std::max_element(per_100ms.begin(), per_100ms.end()) < 160);
  CHECK(*std::min_element(per_100ms.begin(), per_100ms.end()) > 50);
}

TEST_CASE("monitors: the event carries the monitor with defaults filled and other keys kept") {
  ms::monitor m;
  REQUIRE(ms::normalize({{"name", "api"},
                         {"url", "https://example.com/health"},
                         {"method", "post"},
                         {"headers", {{"X-Try", 3}, {"Accept", "application/json"}}},
                         {"body", {{"q", 1}}},
                         {"expect", {{"status", {200, 204}}}},
                         {"verify_ssl", false},
                         {"ip_version", 4},
                         {"datacenter", "VA"}},
                        m) == "");
  CHECK(m.interval_ms == 60'000);
  CHECK(m.offset_ms == ms::slot_offset_ms("api", 60'000));
  CHECK(m.spec == value::parse(R"({"name": "api", "url": "https://example.com/health",
      "method": "POST", "headers": {"X-Try": "3", "Accept": "application/json"},
      "body": "{\"q\":1}", "interval": 60, "timeout": 10, "expect": {"status": [200, 204]},
      "verify_ssl": false, "ip_version": 4, "datacenter": "VA"})"));
  REQUIRE(ms::normalize({{"name", "b"}, {"url", "http://b/"}, {"interval", "2.5"}, {"timeout", 1}},
                        m) == "");
  CHECK(m.spec == value::parse(R"({"name": "b", "url": "http://b/", "method": "GET",
      "headers": {}, "body": "", "interval": 2.5, "timeout": 1, "expect": {}})"));
  CHECK(m.interval_ms == 2500);
}

TEST_CASE("monitors: bad arguments are load errors naming the source, monitor and key") {
  const auto err = [](const value& monitors) {
    return make_error("monitors", {{"monitors", monitors}});
  };
  CHECK(err(value::array({{{"url", "http://a/"}}})).find("each monitor needs a 'name'") !=
        std::string::npos);
  CHECK(err(value::array({{{"name", "a"}}})) ==
        "monitors: argument 'monitors': monitor 'a': 'url' is required (a non-empty string)");
  CHECK(err(value::array({monitor("a", 1), monitor("a", 2)})).find("'a' is used twice") !=
        std::string::npos);
  CHECK(err(value::array({monitor("a", 0)}))
            .find("monitor 'a': 'interval' must be a number of "
                  "seconds more than 0, got 0") != std::string::npos);
  CHECK(err(value::array({monitor("a", -5)})).find("'interval'") != std::string::npos);
  CHECK(err(value::array({{{"name", "a"}, {"url", "u"}, {"timeout", "soon"}}})).find("'timeout'") !=
        std::string::npos);
  CHECK(err(value::array({{{"name", "a"}, {"url", "u"}, {"headers", {1, 2}}}})).find("'headers'") !=
        std::string::npos);
  CHECK(err(value::array({{{"name", "a"}, {"url", "u"}, {"expect", "200"}}})).find("'expect'") !=
        std::string::npos);
  CHECK(err("http://a/") ==
        "monitors: argument 'monitors' must be a list of monitors (mappings), got \"http://a/\"");
  CHECK(make_error("monitors", value::object())
            .find("'monitors' (a list) or 'datacenter_id' or "
                  "'agent_id' is required") != std::string::npos);
  CHECK(make_error("monitors", {{"datacenter_id", 1}, {"agent_id", 2}}).find("not both") !=
        std::string::npos);
  CHECK(make_error("monitors", {{"datacenter_id", 0}}).find("'datacenter_id' must be a positive") !=
        std::string::npos);
  // No catalog factory in the harness: a database selection cannot be served.
  CHECK(
      make_error("monitors", {{"datacenter_id", 1}}).find("cannot read monitors from a database") !=
      std::string::npos);
  CHECK(make_error("eda.builtin.monitors", {{"monitors", value::array()}}) == "");
  CHECK(make_error("ansible.eda.monitors", {{"monitors", value::array({monitor("a", 1)})}}) == "");
}

TEST_CASE("monitors: each monitor at its own slots, consecutive, never before their time") {
  harness h;
  std::map<std::string, int> seen;
  h.sink.on_put = [&](const value& e) { ++seen[e["monitor"]["name"].get<std::string>()]; };
  h.make("monitors", {{"monitors", {monitor("fast", 0.1), monitor("slow", 0.25)}}});
  h.start();
  CHECK(h.run_until([&] { return seen["fast"] >= 5 && seen["slow"] >= 2; }));
  h.stop();
  h.io.restart();
  h.io.run();
  h.check_contract();
  std::map<std::string, std::vector<std::int64_t>> slots;
  for (std::size_t i = 0; i < h.sink.events.size(); ++i) {
    const value& e = h.sink.events[i];
    const std::string name = e["monitor"]["name"];
    slots[name].push_back(slot_of(e));
    CHECK(e["monitor"]["url"] == "http://127.0.0.1:9/" + name);
  }
  REQUIRE(slots["fast"].size() >= 5);
  REQUIRE(slots["slow"].size() >= 2);
  for (auto& [name, s] : slots) {
    const std::int64_t interval = name == "fast" ? 100 : 250;
    const std::int64_t offset = ms::slot_offset_ms(name, interval);
    for (std::size_t i = 0; i < s.size(); ++i) {
      CHECK((s[i] - offset) % interval == 0);
      if (i) CHECK(s[i] - s[i - 1] == interval);  // none skipped, none twice
    }
  }
  // Wall-clock check: an event is put at or after its slot.
  CHECK(h.end == source_end::stopped);
}

TEST_CASE("monitors: emitted at their slot time, never earlier") {
  harness h;
  std::vector<std::int64_t> lateness;
  h.sink.on_put = [&](const value& e) { lateness.push_back(rb::utc_now_us() / 1000 - slot_of(e)); };
  h.make("monitors", {{"monitors", {monitor("a", 0.2), monitor("b", 0.2), monitor("c", 0.2)}}});
  h.start();
  CHECK(h.run_until([&] { return lateness.size() >= 12; }));
  h.stop();
  h.io.restart();
  h.io.run();
  REQUIRE(lateness.size() >= 12);
  CHECK(*std::min_element(lateness.begin(), lateness.end()) >= 0);
  // On time: a source that woke a slot late (or on a coarse tick) is late by about an interval
  // every time. The median, not the maximum: one wake-up delayed on a busy machine is no bug.
  std::nth_element(lateness.begin(), lateness.begin() + lateness.size() / 2, lateness.end());
  CHECK(lateness[lateness.size() / 2] < 100);
}

TEST_CASE("monitors: back-pressure delays slots but drops none") {
  harness h(1);  // full after every event
  value list = value::array();
  for (int i = 0; i < 40; ++i) list.push_back(monitor("m" + std::to_string(i), 0.05));
  std::set<std::string> seen;
  h.sink.on_put = [&](const value& e) { seen.insert(e["monitor"]["name"].get<std::string>()); };
  h.make("monitors", {{"monitors", list}});
  h.start();
  CHECK(h.run_until([&] { return h.sink.times_full > 100 && seen.size() == 40; }));
  h.stop();
  h.io.restart();
  h.io.run();
  h.check_contract();
  CHECK(h.sink.times_full > 100);
  std::map<std::string, std::vector<std::int64_t>> slots;
  for (const value& e : h.sink.events) slots[e["monitor"]["name"]].push_back(slot_of(e));
  CHECK(slots.size() == 40);
  for (auto& [name, s] : slots)
    for (std::size_t i = 1; i < s.size(); ++i) CHECK(s[i] - s[i - 1] == 50);
}

TEST_CASE("monitors: an empty list ends the source at once; stop() ends a waiting one") {
  harness empty;
  empty.run("monitors", {{"monitors", value::array()}});
  CHECK(empty.end == source_end::finished);
  empty.check_contract();
  harness h;
  h.make("monitors", {{"monitors", {monitor("hourly", 3600)}}});
  h.start();
  h.io.run_for(std::chrono::milliseconds(30));
  h.stop();
  h.io.run();  // returns at once: the hour-long wait is cancelled
  CHECK(h.end == source_end::stopped);
  h.check_contract();
}

TEST_CASE("monitors: HA: nothing while follower; a new term starts from the next slot after now") {
  harness h;
  ha_signals signals(h.io);
  signals.ha_mode = true;
  signals.leader.set();
  source_env env = h.env();
  env.signals = &signals;
  h.src = make_builtin("monitors", {{"monitors", {monitor("a", 0.05), monitor("b", 0.05)}}},
                       std::move(env));
  // While the source waits for leadership the loop has no work of its own: keep it running.
  auto guard = boost::asio::make_work_guard(h.io);
  h.start();
  CHECK(h.run_until([&] { return h.sink.events.size() >= 4; }));
  const std::size_t before = h.sink.events.size();
  // Leadership lost (as the engine's on_follower does), then won back 300 ms later.
  signals.leader.clear();
  signals.follower.set();
  h.io.poll();  // the notice is posted: let it land
  h.io.run_for(std::chrono::milliseconds(300));
  CHECK(h.sink.events.size() <= before + 2);  // at most a slot already under way
  const std::size_t at_loss = h.sink.events.size();
  const std::int64_t regained = rb::utc_now_us() / 1000;
  signals.follower.clear();
  signals.leader.set();
  // Two slots of each monitor: their spacing is checked below.
  CHECK(h.run_until([&] { return h.sink.events.size() >= at_loss + 4; }));
  h.stop();
  guard.reset();
  h.io.restart();
  h.io.run();
  h.check_contract();
  REQUIRE(h.sink.events.size() > at_loss);
  for (std::size_t i = at_loss; i < h.sink.events.size(); ++i)
    CHECK(slot_of(h.sink.events[i]) >= regained);  // the missed slots are not replayed
  std::map<std::string, std::vector<std::int64_t>> slots;
  for (std::size_t i = at_loss; i < h.sink.events.size(); ++i)
    slots[h.sink.events[i]["monitor"]["name"]].push_back(slot_of(h.sink.events[i]));
  for (auto& [name, s] : slots)
    for (std::size_t i = 1; i < s.size(); ++i) CHECK(s[i] - s[i - 1] == 50);
}

TEST_CASE("monitors: reloads add, change and remove monitors; a failed reload keeps the list") {
  harness h;
  std::deque<std::pair<value, std::string>> answers;
  int loads = 0;
  value first = value::array({monitor("keep", 0.05), monitor("drop", 0.05)});
  value changed_keep = monitor("keep", 0.05);
  changed_keep["url"] = "http://127.0.0.1:9/keep-v2";
  value second = value::array({changed_keep, monitor("new", 0.05), {{"name", "bad"}}});
  answers.push_back({first, ""});
  answers.push_back({value(), "connection refused"});
  answers.push_back({second, ""});
  rb::monitor_directory dir;
  source_env env = h.env();
  env.monitors = &dir;
  env.monitor_catalogs = [&](const rb::monitor_catalog_query& q, std::string&) {
    CHECK(q.datacenter_id == 3);
    return std::make_unique<scripted_catalog>(h.io, &answers, &loads);
  };
  h.src = make_builtin("monitors", {{"datacenter_id", 3}, {"reload_interval", 1}}, std::move(env));
  std::map<std::string, int> seen;
  h.sink.on_put = [&](const value& e) { ++seen[e["monitor"]["name"].get<std::string>()]; };
  h.start();
  // Loads at 0, 1 s (fails), 2 s; then enough of the new list to check.
  CHECK(h.run_until([&] { return loads >= 3 && seen["new"] >= 5; }, std::chrono::seconds(20)));
  h.stop();
  h.io.restart();
  h.io.run();
  h.check_contract();
  CHECK(loads == 3);
  std::map<std::string, std::vector<std::int64_t>> slots;
  std::set<std::string> urls;
  for (const value& e : h.sink.events) {
    slots[e["monitor"]["name"]].push_back(slot_of(e));
    urls.insert(e["monitor"]["url"].get<std::string>());
  }
  CHECK(slots.count("bad") == 0);       // skipped with a warning, the others still run
  REQUIRE(slots["drop"].size() >= 30);  // ran through the failed reload, until the third load
  REQUIRE(slots["new"].size() >= 5);
  CHECK(slots["new"].front() > slots["drop"].back() - 60);  // added when "drop" went
  CHECK(urls.count("http://127.0.0.1:9/keep-v2") == 1);
  // keep's slots went on without a gap or a repeat across the change.
  const auto& k = slots["keep"];
  for (std::size_t i = 1; i < k.size(); ++i) CHECK(k[i] - k[i - 1] == 50);
  // The status page's list follows the reloads: the last load's monitors, keep's new URL.
  const auto listed = dir.all();
  REQUIRE(listed.size() == 2);
  CHECK(listed[0].name == "keep");
  CHECK(listed[0].url == "http://127.0.0.1:9/keep-v2");
  CHECK(listed[1].name == "new");
}

TEST_CASE("monitors: a static list is published for the status page before the source starts") {
  harness h;
  rb::monitor_directory dir;
  dir.checked({"adhoc", "http://127.0.0.1:9/adhoc", "GET", 0, false});
  dir.checked({"b", "http://127.0.0.1:9/old", "GET", 0, false});
  source_env env = h.env();
  env.monitors = &dir;
  value b = monitor("b", 2.5);
  b["method"] = "post";
  h.src = make_builtin("monitors", {{"monitors", value::array({monitor("a", 30), b})}},
                       std::move(env));
  // Not started: an HA follower's sources wait for leadership, its page lists them already.
  const auto listed = dir.all();
  REQUIRE(listed.size() == 3);
  CHECK(listed[0].name == "a");
  CHECK(listed[0].url == "http://127.0.0.1:9/a");
  CHECK(listed[0].method == "GET");
  CHECK(listed[0].interval_s == 30);
  CHECK(listed[0].scheduled);
  CHECK(listed[1].name == "adhoc");  // checked only: kept, not scheduled
  CHECK_FALSE(listed[1].scheduled);
  CHECK(listed[2].name == "b");  // the source's entry wins over a check's
  CHECK(listed[2].url == "http://127.0.0.1:9/b");
  CHECK(listed[2].method == "POST");
  CHECK(listed[2].interval_s == 2.5);
  CHECK(listed[2].scheduled);
}
