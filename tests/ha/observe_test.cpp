// Observe-only mode with the real binary (docs/monitoring.md): a leader that loses its database
// keeps checking, spools its heartbeats with its epoch and holds every other action. Two cases:
// it was only cut off while another worker took over (the overlap is refused by the fence, its
// held alerts never run), or the database itself was away (nothing is lost, the held alerts run
// once it leads again).
#include <doctest/doctest.h>

#include <regex>
#include <thread>

#include "cluster.h"
#include "support/http_server.h"

using namespace rb;
using namespace std::chrono_literals;

namespace {

// One healthy and one failing monitor every second; every failure raises an alert (`debug`).
std::string write_rulebook(const test::temp_dir& dir, const test::http_server& target) {
  return dir.write("observe.yml", R"(
- name: observe
  hosts: all
  execution_strategy: parallel
  sources:
    - monitors:
        monitors:
          - {name: up, url: ')" + target.url("/ok") +
                                      R"(', interval: 1}
          - {name: down, url: ')" + target.url("/status/500") +
                                      R"(', interval: 1}
  rules:
    - name: check
      condition: event.monitor is defined
      action:
        http_check:
    - name: alert
      condition: event.http_check.success == false
      action:
        debug:
          msg: "ALERT {{ event.http_check.monitor }}"
)");
}

struct audit_entry {
  std::string action, status, run_at, scheduled_at;
  std::int64_t epoch;
};

// The audit records of `w` with the scheduled_at of their event (the monitor's slot).
std::vector<audit_entry> audit_of(const test::ha_worker& w) {
  std::vector<audit_entry> out;
  for (const auto& r : test::read_jsonl(w.audit)) {
    if (r.value("type", "") != "Action") continue;
    audit_entry e{r.value("action", ""), r.value("status", ""), r.value("run_at", ""), "",
                  r.value("ha_epoch", std::int64_t{0})};
    const auto& m = r.value("matching_events", value::object());
    if (m.contains("m")) {
      const auto& ev = m["m"];
      if (ev.contains("http_check")) e.scheduled_at = ev["http_check"].value("scheduled_at", "");
      if (ev.contains("scheduled_at")) e.scheduled_at = ev.value("scheduled_at", "");
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::int64_t rows(test::pg_server& pg, const std::string& where) {
  if (pg.query("SELECT to_regclass('heartbeats') IS NULL")[0][0] == "t") return 0;
  return std::stoll(pg.query("SELECT count(*) FROM heartbeats WHERE " + where)[0][0]);
}

std::chrono::system_clock::time_point term_began(test::pg_server& pg, int epoch) {
  const auto r = pg.query(
      "SELECT to_char(began_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM "
      "rulebook_ha_terms WHERE epoch = " +
      std::to_string(epoch));
  REQUIRE(r.size() == 1);
  return test::parse_iso(r[0][0]);
}

// Sum of the store's "N heartbeats refused by the HA fence" lines.
long refused_in(const std::string& log) {
  static const std::regex line(R"((\d+) heartbeats refused by the HA fence)");
  long n = 0;
  for (auto it = std::sregex_iterator(log.begin(), log.end(), line); it != std::sregex_iterator();
       ++it)
    n += std::stol((*it)[1]);
  return n;
}

bool contains(const std::string& log, const std::string& text) {
  return log.find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("ha observe: a leader cut off while another took over loses only the overlap") {
  test::http_server target;
  test::temp_dir dir;
  test::ha_cluster c(write_rulebook(dir, target), {"-v"});
  auto& a = c.start("worker-a");
  REQUIRE(c.wait_leader(a) == 1);
  c.install_fence_check();
  auto& b = c.start("worker-b");
  REQUIRE(test::wait_until([&] { return rows(c.pg(), "ha_epoch = 1") >= 6; }, 15s));
  a.proxy->blackhole();  // a's link only: the database and b are fine
  INFO("worker-a: " << a.log());
  INFO("worker-b: " << b.log());
  REQUIRE(c.wait_leader(b, 1) == 2);
  std::this_thread::sleep_for(3s);  // a observes while b leads
  a.proxy->pass();
  REQUIRE(test::wait_until(
      [&] { return contains(a.log(), "observe-only ends: another worker leads"); }, 20s));
  REQUIRE(test::wait_until([&] { return refused_in(a.log()) > 0; }, 20s));
  c.stop_all();

  const auto log_a = a.log();
  CHECK(contains(log_a, "observe-only: checks go on in epoch 1"));
  CHECK(contains(log_a, "held while observing are dropped"));
  const auto began2 = term_began(c.pg(), 2);
  int observed = 0;
  for (const auto& e : audit_of(a)) {
    if (e.epoch != 1) continue;
    const auto at = test::parse_iso(e.run_at);
    if (e.action == "http_check" && at > began2) ++observed;                  // checks went on
    if (e.action == "debug" && e.status == "successful") CHECK(at < began2);  // alerts did not
  }
  CHECK(observed >= 4);
  // The fence kept exactly a's checks that started before b's term began.
  CHECK(rows(c.pg(),
             "ha_epoch = 1 AND started_at >= (SELECT began_at FROM rulebook_ha_terms "
             "WHERE epoch = 2)") == 0);
  CHECK(rows(c.pg(), "ha_epoch = 2 AND worker_id = 'worker-b'") >= 4);
  CHECK(c.history_problems() == std::vector<std::string>{});
}

TEST_CASE("ha observe: a database outage loses no heartbeat; held alerts run after it") {
  test::http_server target;
  test::temp_dir dir;
  test::ha_cluster c(write_rulebook(dir, target), {"-v"});
  auto& a = c.start("worker-a");
  REQUIRE(c.wait_leader(a) == 1);
  REQUIRE(test::wait_until([&] { return rows(c.pg(), "ha_epoch = 1") >= 4; }, 15s));
  a.proxy->blackhole();
  const auto cut = std::chrono::system_clock::now();
  const auto cut_s = std::chrono::duration<double>(cut.time_since_epoch()).count();
  INFO("worker-a: " << a.log());
  std::this_thread::sleep_for(8s);  // longer than the lease (3 s) and the server's timeout (4 s)
  CHECK(contains(a.log(), "observe-only: checks go on in epoch 1"));
  a.proxy->pass();
  REQUIRE(c.wait_leader(a, 1) == 2);
  REQUIRE(test::wait_until(
      [&] { return contains(a.log(), "observe-only ends: this worker leads again"); }, 5s));
  std::this_thread::sleep_for(3s);
  c.stop_all();

  const auto log_a = a.log();
  CHECK(contains(log_a, "held while observing"));
  CHECK(!contains(log_a, "are dropped"));
  const auto entries = audit_of(a);
  long checks = 0, observed = 0, late_alerts = 0;
  for (const auto& e : entries) {
    if (e.action == "http_check" && e.status == "successful") {
      ++checks;
      if (e.epoch == 1 && test::parse_iso(e.run_at) > cut + 4s) ++observed;
    }
    // Alerts of failures observed during the outage ran in the next term.
    if (e.action == "debug" && e.status == "successful" && e.epoch == 2 &&
        !e.scheduled_at.empty() && test::parse_iso(e.scheduled_at) > cut + 4s &&
        test::parse_iso(e.scheduled_at) < cut + 8s)
      ++late_alerts;
  }
  CHECK(observed >= 4);
  CHECK(late_alerts >= 1);
  // Every check executed has its row: the only later term is a's own, so the fence refused
  // nothing, the outage's checks included.
  CHECK(refused_in(log_a) == 0);
  CHECK(rows(c.pg(), "true") == checks);
  CHECK(rows(c.pg(), "ha_epoch = 1 AND started_at > to_timestamp(" + std::to_string(cut_s + 4) +
                         ")") >= observed);
  CHECK(std::stoll(c.pg().query("SELECT count(DISTINCT (monitor_name, scheduled_at)) FROM "
                                "heartbeats")[0][0]) == checks);
}
