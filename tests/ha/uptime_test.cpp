// The uptime HA example (rulebooks/uptime_ha.yml, config tables from scripts/uptime_ha.sql) on a
// real PostgreSQL with two real workers: heartbeats across a kill -9 and a frozen leader.
#include <doctest/doctest.h>
#include <signal.h>

#include <map>
#include <thread>

#include "cluster.h"
#include "support/http_server.h"

using namespace rb;
using namespace std::chrono_literals;

namespace {

// Loads the example's tables, then replaces its monitors by three 1-second ones on `target`: two
// up, one (`down`) always failing.
void configure(test::pg_server& pg, const test::http_server& target) {
  pg.exec(test::read_file(test::source_path("scripts/uptime_ha.sql")));
  pg.exec("DELETE FROM api_monitors");
  pg.exec("INSERT INTO schedules (id, name, interval_seconds) VALUES (9, 'every-1s', 1)");
  pg.exec("INSERT INTO api_monitors (name, url, schedule_id, datacenter_id) VALUES ('a', '" +
          target.url("/ok") + "', 9, 1), ('b', '" + target.url("/ok") + "', 9, 1), ('down', '" +
          target.url("/status/503") + "', 9, 1)");
}

struct row {
  std::int64_t epoch;
  std::int64_t slot_us;
  std::int64_t started_us;
  std::string worker;
};

std::map<std::string, std::vector<row>> heartbeats(test::pg_server& pg) {
  std::map<std::string, std::vector<row>> out;
  for (const auto& r :
       pg.query("SELECT monitor_name, ha_epoch, (extract(epoch FROM scheduled_at) * 1e6)::bigint, "
                "(extract(epoch FROM started_at) * 1e6)::bigint, worker_id FROM heartbeats "
                "ORDER BY monitor_name, scheduled_at"))
    out[r[0]].push_back({std::stoll(r[1]), std::stoll(r[2]), std::stoll(r[3]), r[4]});
  return out;
}

// 0 until the store has created the table with its first batch.
std::int64_t count(test::pg_server& pg, const std::string& where) {
  if (pg.query("SELECT to_regclass('heartbeats') IS NULL")[0][0] == "t") return 0;
  return std::stoll(pg.query("SELECT count(*) FROM heartbeats WHERE " + where)[0][0]);
}

// Per monitor: no slot twice (the unique key), slots on the monitor's grid, gaps only at the
// takeover and at most `max_gap_s` long.
void check_slots(const std::map<std::string, std::vector<row>>& rows, double max_gap_s) {
  CHECK(rows.size() == 3);
  for (const auto& [name, rs] : rows) {
    INFO("monitor " << name);
    REQUIRE(rs.size() >= 4);
    for (std::size_t i = 1; i < rs.size(); ++i) {
      const std::int64_t step = rs[i].slot_us - rs[i - 1].slot_us;
      CHECK(step > 0);
      CHECK(step % 1000000 == 0);  // same offset within the second: aligned slots
      if (rs[i].epoch == rs[i - 1].epoch) CHECK(step == 1000000);
      CHECK(step <= static_cast<std::int64_t>(max_gap_s * 1e6));
      CHECK(rs[i].epoch >= rs[i - 1].epoch);
    }
  }
}

}  // namespace

TEST_CASE(
    "ha uptime: kill -9 of the leader: the gap per monitor is the takeover plus a slot; the "
    "failure "
    "streak goes on") {
  test::http_server target;
  test::ha_cluster c(test::source_path("rulebooks/uptime_ha.yml"), {"-v"});
  configure(c.pg(), target);
  auto& w1 = c.start("worker-1");
  REQUIRE(c.wait_leader(w1) == 1);
  auto& w2 = c.start("worker-2");
  INFO("worker-1: " << w1.log());
  // Past the third failure: worker-1 has alerted for `down`.
  REQUIRE(test::wait_until(
      [&] { return count(c.pg(), "ha_epoch = 1 AND monitor_name = 'down'") >= 4; }, 15s));
  kill(w1.pid, SIGKILL);
  c.reap(w1, 5s);
  INFO("worker-2: " << w2.log());
  REQUIRE(c.wait_leader(w2, 1) == 2);
  REQUIRE(test::wait_until([&] { return count(c.pg(), "ha_epoch = 2") >= 8; }, 15s));
  c.stop_all();
  const auto rows = heartbeats(c.pg());
  // kill -9 frees the lock at once: well under 5 s between the last slot of epoch 1 and the
  // first of epoch 2 (takeover + one interval), generous for a loaded machine.
  check_slots(rows, 5.0);
  for (const auto& [name, rs] : rows) {
    CHECK(rs.front().worker == "worker-1");
    CHECK(rs.back().worker == "worker-2");
  }
  // The new leader continues the streak from the heartbeats: no second alert.
  std::vector<int> streak;
  for (const auto& r : test::http_check_results(w2.audit))
    if (r["monitor"] == "down") streak.push_back(r["consecutive_failures"].get<int>());
  REQUIRE(!streak.empty());
  CHECK(streak.front() >= 5);
  for (std::size_t i = 1; i < streak.size(); ++i) CHECK(streak[i] == streak[i - 1] + 1);
  CHECK(w2.log().find("cannot read the failure streaks") == std::string::npos);
}

TEST_CASE("ha uptime: a frozen leader's late checks are not written after the takeover") {
  test::http_server target;
  test::ha_cluster c(test::source_path("rulebooks/uptime_ha.yml"), {"-v"});
  configure(c.pg(), target);
  auto& w1 = c.start("worker-1");
  REQUIRE(c.wait_leader(w1) == 1);
  c.install_fence_check();
  auto& w2 = c.start("worker-2");
  REQUIRE(test::wait_until([&] { return count(c.pg(), "ha_epoch = 1") >= 9; }, 15s));
  kill(w1.pid, SIGSTOP);
  REQUIRE(c.wait_leader(w2, 1) == 2);
  REQUIRE(test::wait_until([&] { return count(c.pg(), "ha_epoch = 2") >= 9; }, 20s));
  kill(w1.pid, SIGCONT);  // wakes up after the takeover: must not act or write as leader
  std::this_thread::sleep_for(3s);
  c.stop_all();
  const auto rows = heartbeats(c.pg());
  check_slots(rows, 10.0);  // the freeze is only noticed when the lease runs out
  // Every epoch-1 heartbeat started before epoch 2 began (the fence), none after.
  const auto began = c.pg().query(
      "SELECT (extract(epoch FROM began_at) * 1e6)::bigint FROM rulebook_ha_terms WHERE epoch = 2");
  REQUIRE(began.size() == 1);
  const std::int64_t t2 = std::stoll(began[0][0]);
  for (const auto& [name, rs] : rows)
    for (const auto& r : rs)
      if (r.epoch == 1) CHECK(r.started_us < t2);
  CHECK(c.history_problems() == std::vector<std::string>{});
}
