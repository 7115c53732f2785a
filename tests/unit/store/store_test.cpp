// The heartbeat stores against a real SQLite file and a real PostgreSQL (one throwaway server for
// the whole executable; each case drops the tables it uses): columns, duplicates, order, the spool
// through an outage and across runs, the spool limit, the HA fence, retention.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <sstream>
#include <thread>

#include "core/clock.h"
#include "ha/elector.h"
#include "ha/pg_conn.h"
#include "ha/schema.h"
#include "store/heartbeat_store.h"
#include "store/monitor_catalog_pg.h"
#include "store/schema.h"
#include "store/spool.h"
#include "support/heartbeat_sample.h"
#include "support/old_schema.h"
#include "support/pg_server.h"
#include "support/sqlite_rows.h"

using namespace rb;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using rows_t = std::vector<std::vector<std::string>>;

namespace {

struct temp_dir {
  std::string path;
  temp_dir() {
    char tmpl[] = "/tmp/rb-store-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

test::pg_server& shared_pg() {
  static test::pg_server pg;
  return pg;
}

// A clean slate in the shared server.
test::pg_server& fresh_pg() {
  auto& pg = shared_pg();
  if (!pg.running()) pg.start();
  pg.exec(
      "DROP TABLE IF EXISTS heartbeats, rulebook_ha_leader, rulebook_ha_workers, "
      "rulebook_ha_state, rulebook_ha_terms");
  return pg;
}

constexpr std::int64_t base_us = 1795848595123000;  // 2026-11-28T06:49:55.123Z

heartbeat make_hb(const std::string& name, int slot) {
  heartbeat hb;
  hb.monitor_name = name;
  hb.worker_id = "w1";
  hb.scheduled_at_us = base_us + slot * 60'000'000LL;
  hb.started_at_us = hb.scheduled_at_us + 2'000;
  hb.success = true;
  hb.status_code = 200;
  hb.total_ms = 10 + slot;
  return hb;
}

heartbeat full_hb() {
  heartbeat hb = test::sample_heartbeat(12, "api-login", base_us);
  hb.error = "tab\there \"quoted\" back\\slash\nnewline";
  hb.ha_epoch = 7;
  return hb;
}

// A heartbeat with every nullable column null.
heartbeat sparse_hb() {
  heartbeat hb;
  hb.monitor_name = "from-args";
  hb.worker_id = "w1";
  hb.scheduled_at_us = base_us;
  hb.started_at_us = base_us;
  return hb;
}

// Every column of full_hb() and sparse_hb() as each database returns it as text (the SQLite
// helper shows NULL as "NULL", pg_server as ""). The PostgreSQL expression reads timestamps in UTC.
struct column_expect {
  const char* column;
  std::string sqlite_full, pg_full, sqlite_sparse, pg_sparse;
};

std::vector<column_expect> expected_columns() {
  const heartbeat hb = full_hb();
  return {
      {"monitor_id", "12", "12", "NULL", ""},
      {"monitor_name", "api-login", "api-login", "from-args", "from-args"},
      {"worker_id", "w1", "w1", "w1", "w1"},
      {"datacenter", "fra1", "fra1", "", ""},  // NOT NULL: '' when the check has none
      {"region", "eu", "eu", "NULL", ""},
      {"scheduled_at", "2026-11-28T06:49:55.123Z", "2026-11-28 06:49:55.123",
       "2026-11-28T06:49:55.123Z", "2026-11-28 06:49:55.123"},
      {"started_at", "2026-11-28T06:49:55.124Z", "2026-11-28 06:49:55.1245",
       "2026-11-28T06:49:55.123Z", "2026-11-28 06:49:55.123"},
      {"success", "0", "f", "0", "f"},
      {"status_code", "503", "503", "NULL", ""},
      {"dns_ms", "1.25", "1.25", "0.0", "0"},
      {"connect_ms", "2.5", "2.5", "0.0", "0"},
      {"tls_ms", "3.75", "3.75", "0.0", "0"},
      {"ttfb_ms", "40.5", "40.5", "0.0", "0"},
      {"transfer_ms", "0.5", "0.5", "0.0", "0"},
      {"total_ms", "48.5", "48.5", "0.0", "0"},
      {"response_bytes", "1234", "1234", "0", "0"},
      {"cert_expires_at", "2027-01-15T08:00:00.000Z", "2027-01-15 08:00:00", "NULL", ""},
      {"failed_conditions", hb.failed_conditions,
       R"([{"actual": 503, "expected": 200, "condition": "status_code"}])", "[]", "[]"},
      {"error", hb.error, hb.error, "NULL", ""},
      {"ha_epoch", "7", "7", "NULL", ""},
  };
}

// "SELECT <each column, or its PostgreSQL expression> FROM heartbeats ORDER BY <order>".
std::string select_columns(bool postgres, const char* order) {
  std::string sql = "SELECT ";
  for (const auto& c : expected_columns()) {
    if (sql.size() > 7) sql += ", ";
    const std::string col = c.column;
    if (postgres && col.size() > 3 && col.compare(col.size() - 3, 3, "_at") == 0)
      sql += col + " AT TIME ZONE 'UTC'";
    else
      sql += col;
  }
  return sql + " FROM heartbeats ORDER BY " + order;
}

// The expected rows: full_hb() then sparse_hb().
rows_t expected_rows(bool postgres) {
  rows_t out(2);
  for (const auto& c : expected_columns()) {
    out[0].push_back(postgres ? c.pg_full : c.sqlite_full);
    out[1].push_back(postgres ? c.pg_sparse : c.sqlite_sparse);
  }
  return out;
}

store_options quick_options(const std::string& spool_dir) {
  store_options o;
  o.spool_dir = spool_dir;
  o.max_delay = 10ms;
  o.timeout = 1000ms;
  return o;
}

using test::sqlite_rows;

std::string pg_count(const test::pg_server& pg) {
  return pg.query("SELECT count(*) FROM heartbeats")[0][0];
}

// Waits until `pred` holds, at most `timeout`.
template <class F>
bool eventually(F pred, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

std::size_t lines_in(const std::string& path) {
  std::ifstream in(path);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

std::string message_of(const std::string& spec) {
  try {
    open_heartbeat_store(spec, store_options{});
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

// Asks the store for the failure streaks and waits for the answer (the callback runs on the
// writer thread).
std::future<failure_streaks> request_streaks(heartbeat_store& store,
                                             const std::string& datacenter = "") {
  auto answer = std::make_shared<std::promise<failure_streaks>>();
  store.request_failure_streaks(datacenter,
                                [answer](failure_streaks s) { answer->set_value(std::move(s)); });
  return answer->get_future();
}

failure_streaks answer_of(std::future<failure_streaks> f) {
  REQUIRE(f.wait_for(10s) == std::future_status::ready);
  return f.get();
}

failure_streaks ask_streaks(heartbeat_store& store, const std::string& datacenter = "") {
  return answer_of(request_streaks(store, datacenter));
}

// A heartbeat of `name` scheduled `ago` before now.
heartbeat recent_hb(const std::string& name, std::chrono::seconds ago, bool success) {
  heartbeat hb = make_hb(name, 0);
  hb.scheduled_at_us = utc_now_us() / 1000 * 1000 -
                       std::chrono::duration_cast<std::chrono::microseconds>(ago).count();
  hb.started_at_us = hb.scheduled_at_us;
  hb.success = success;
  return hb;
}

// The same history on any store: streaks by scheduled_at (not by arrival), bounded to 24 h, and
// rows still in the writer's queue (a long max_delay keeps them there) counted.
void check_streaks(const std::string& spec, const std::string& spool_dir) {
  auto o = quick_options(spool_dir);
  o.max_delay = 30s;
  auto store = open_heartbeat_store(spec, o);
  store->start();
  CHECK(ask_streaks(*store).failures.empty());  // no table rows yet: nothing, and no error
  using std::chrono::hours;
  using std::chrono::seconds;
  for (auto hb :
       {recent_hb("up", 50s, false), recent_hb("up", 40s, false), recent_hb("up", 30s, true),
        // Arrives out of order: the success is the oldest slot.
        recent_hb("down", 40s, false), recent_hb("down", 30s, false), recent_hb("down", 50s, true),
        recent_hb("down", 20s, false), recent_hb("never-ok", 20s, false),
        recent_hb("never-ok", 10s, false), recent_hb("gone", hours(48), false),
        // A success and a failure beyond the window, one failure inside it.
        recent_hb("long", hours(26), true), recent_hb("long", hours(25), false),
        recent_hb("long", seconds(10), false)})
    store->submit(hb);
  REQUIRE(store->flush(5s));
  auto s = ask_streaks(*store);
  CHECK(s.error == "");
  CHECK(s.failures ==
        std::unordered_map<std::string, int>{{"down", 3}, {"never-ok", 2}, {"long", 1}});
  // Still queued (max_delay 30 s): the request goes behind them and sees them; it does not see
  // the rows submitted after it, even when they arrive before the writer wakes.
  store->submit(recent_hb("up", 20s, false));
  store->submit(recent_hb("up", 10s, false));
  store->submit(recent_hb("never-ok", 5s, true));
  const auto asked = std::chrono::steady_clock::now();
  auto answer = request_streaks(*store);
  store->submit(recent_hb("up", 4s, false));
  store->submit(recent_hb("down", 4s, true));
  s = answer_of(std::move(answer));
  CHECK(std::chrono::steady_clock::now() - asked < 5s);
  CHECK(s.error == "");
  CHECK(s.failures == std::unordered_map<std::string, int>{{"down", 3}, {"up", 2}, {"long", 1}});
  // The next request sees them.
  CHECK(ask_streaks(*store).failures ==
        std::unordered_map<std::string, int>{{"up", 3}, {"long", 1}});
  store->stop();
}

// The status page's summary, as the store answers it (on its thread).
status_summary ask_status(heartbeat_store& store) {
  auto answer = std::make_shared<std::promise<status_summary>>();
  store.request_status_summary([answer](status_summary s) { answer->set_value(std::move(s)); });
  auto f = answer->get_future();
  REQUIRE(f.wait_for(10s) == std::future_status::ready);
  return f.get();
}

// A hand-made week of three monitors: uptime ratios, the 24 h slices and the incidents, exact.
void check_status(const std::string& spec, const std::string& spool_dir) {
  auto store = open_heartbeat_store(spec, quick_options(spool_dir));
  store->start();
  auto empty = ask_status(*store);
  CHECK(empty.error == "");
  CHECK(empty.monitors.empty());
  CHECK(empty.incidents.empty());

  constexpr std::int64_t s_us = 1'000'000, min_us = 60 * s_us, h_us = 60 * min_us;
  const std::int64_t now = utc_now_us() / 1000 * 1000;
  const std::int64_t width = 15 * min_us;
  // Slices as the store cuts them (the last one holds now); a test that straddles a quarter hour
  // reads its indexes from the answer below.
  const std::int64_t from = (now / width + 1) * width - 96 * width;
  auto at = [&](const std::string& name, std::int64_t t, bool ok, double ms) {
    heartbeat hb = make_hb(name, 0);
    hb.scheduled_at_us = t;
    hb.started_at_us = t;
    hb.success = ok;
    hb.total_ms = ms;
    if (!ok) hb.failed_conditions = R"([{"condition":"status_code","expected":200,"actual":500}])";
    hb.status_code = ok ? 200 : 500;
    return hb;
  };
  const std::int64_t t90 = from + 90 * width + min_us, t94 = from + 94 * width + min_us;
  const std::int64_t t93 = from + 93 * width + min_us, days3 = now - 72 * h_us;
  std::vector<heartbeat> rows = {
      at("a", now - 8 * 24 * h_us, false, 5),  // older than 7 days: not counted
      at("a", days3, true, 10),
      at("a", days3 + min_us, false, 10),
      at("a", days3 + 2 * min_us, false, 10),
      at("a", days3 + 3 * min_us, true, 10),
      at("a", t90, true, 100),
      at("a", t90 + 2 * min_us, true, 300),
      at("a", t94, false, 900),
      at("b", now - 30 * h_us, true, 40),
      at("b", t93, true, 50)};
  heartbeat refused = at("c", now - 5 * h_us, false, 3000);
  refused.status_code.reset();
  refused.failed_conditions = "[]";
  refused.error = "connect: Connection refused";
  rows.push_back(refused);
  rows.push_back(at("c", now - 5 * h_us + min_us, true, 20));
  // d: a long incident that started before c's and ended after it, its failures timed (700 and
  // 300 ms in one slice), the last one not (0 ms).
  const std::int64_t td1 = from + 40 * width + min_us, td2 = from + 80 * width + min_us;
  for (const auto& hb : {at("d", td1, false, 700), at("d", td1 + 2 * min_us, false, 300),
                         at("d", td2, false, 0), at("d", td2 + 2 * min_us, true, 30)})
    rows.push_back(hb);
  // e: failing for 6 days: the oldest start, still ongoing.
  const std::int64_t days6 = now - 144 * h_us;
  for (const auto& hb : {at("e", days6, true, 10), at("e", days6 + min_us, false, 10),
                         at("e", days6 + 2 * min_us, false, 10)})
    rows.push_back(hb);
  for (auto& hb : rows) store->submit(hb);
  REQUIRE(store->flush(5s));

  auto s = ask_status(*store);
  REQUIRE(s.error == "");
  CHECK(s.bucket_us == width);
  CHECK(std::abs(s.as_of_us - now) < 5 * s_us);
  REQUIRE(s.monitors.size() == 5);
  const auto& a = s.monitors[0];
  CHECK(a.name == "a");
  CHECK(a.checks_7d == 7);
  CHECK(a.up_7d == 4);
  CHECK(a.checks_24h == 3);
  CHECK(a.up_24h == 2);
  CHECK(a.last_at_us == t94);
  CHECK_FALSE(a.last_success);
  CHECK(a.last_status == 500);
  CHECK(a.last_total_ms == 900);
  CHECK(a.last_reason == "status_code 500 (expected 200)");
  REQUIRE(a.buckets.size() == 96);
  auto slice = [&](const monitor_status& m, std::int64_t t) {
    return m.buckets[static_cast<std::size_t>((t - s.buckets_from_us) / width)];
  };
  CHECK(slice(a, t90).checks == 2);
  CHECK(slice(a, t90).failures == 0);
  CHECK(slice(a, t90).avg_ms == doctest::Approx(200));
  CHECK(slice(a, t90).failed_avg_ms < 0);
  CHECK(slice(a, t94).checks == 1);
  CHECK(slice(a, t94).failures == 1);
  CHECK(slice(a, t94).avg_ms < 0);
  CHECK(slice(a, t94).failed_avg_ms == doctest::Approx(900));  // a failed check has its time
  int with_checks = 0;
  for (const auto& b : a.buckets) with_checks += b.checks > 0;
  CHECK(with_checks == 2);
  const auto& b = s.monitors[1];
  CHECK(b.name == "b");
  CHECK((b.checks_7d == 2 && b.up_7d == 2 && b.checks_24h == 1 && b.up_24h == 1));
  CHECK(b.last_success);
  CHECK(b.last_reason == "");
  CHECK(slice(b, t93).avg_ms == doctest::Approx(50));
  const auto& c = s.monitors[2];
  CHECK((c.name == "c" && c.checks_24h == 2 && c.up_24h == 1 && c.last_success));
  const auto& dm = s.monitors[3];
  CHECK((dm.name == "d" && dm.checks_24h == 4 && dm.up_24h == 1 && dm.last_success));
  CHECK(slice(dm, td1).failures == 2);
  CHECK(slice(dm, td1).avg_ms < 0);
  CHECK(slice(dm, td1).failed_avg_ms == doctest::Approx(500));
  CHECK(slice(dm, td2).failures == 1);
  CHECK(slice(dm, td2).failed_avg_ms < 0);  // no time to show
  const auto& e = s.monitors[4];
  CHECK((e.name == "e" && e.checks_7d == 3 && e.checks_24h == 0 && !e.last_success));

  // Sorted by what the table shows: the ongoing ones first, then by start, newest first (not by
  // the last failure: d's ended after c's, yet started before it).
  REQUIRE(s.incidents.size() == 5);
  CHECK(s.incidents[0].monitor == "a");  // still failing, the newest start
  CHECK(s.incidents[0].started_us == t94);
  CHECK(s.incidents[0].ended_us == 0);
  CHECK(s.incidents[0].failures == 1);
  CHECK(s.incidents[0].reason == "status_code 500 (expected 200)");
  CHECK(s.incidents[1].monitor == "e");  // still failing, 6 days old
  CHECK(s.incidents[1].started_us == days6 + min_us);
  CHECK(s.incidents[1].ended_us == 0);
  CHECK(s.incidents[1].failures == 2);
  CHECK(s.incidents[2].monitor == "c");
  CHECK(s.incidents[2].started_us == now - 5 * h_us);
  CHECK(s.incidents[2].ended_us == now - 5 * h_us + min_us);
  CHECK(s.incidents[2].failures == 1);
  CHECK(s.incidents[2].reason == "connect: Connection refused");
  CHECK(s.incidents[3].monitor == "d");
  CHECK(s.incidents[3].started_us == td1);
  CHECK(s.incidents[3].ended_us == td2 + 2 * min_us);
  CHECK(s.incidents[3].failures == 3);
  CHECK(s.incidents[4].monitor == "a");
  CHECK(s.incidents[4].started_us == days3 + min_us);
  CHECK(s.incidents[4].ended_us == days3 + 3 * min_us);
  CHECK(s.incidents[4].failures == 2);
  store->stop();
}

// Two locations check one monitor in the same slots: both rows are kept, a replay of either is a
// duplicate, and each location's streak counts its own rows only.
void check_locations(const std::string& spec, const std::string& spool_dir,
                     const std::function<std::string(const std::string&)>& scalar) {
  auto store = open_heartbeat_store(spec, quick_options(spool_dir));
  store->start();
  // One clock reading: both locations' rows share their slots exactly.
  const std::int64_t now_us = utc_now_us() / 1000 * 1000;
  auto at = [&](const std::string& dc, std::chrono::seconds ago, bool success) {
    heartbeat hb = recent_hb("api", ago, success);
    hb.datacenter = dc;
    hb.scheduled_at_us = now_us - ago.count() * 1'000'000;
    hb.started_at_us = hb.scheduled_at_us;
    return hb;
  };
  using std::chrono::seconds;
  // VA: ok, fail, fail. NY: fail, fail, ok, fail (same slots). No location: fail.
  const std::vector<heartbeat> rows = {
      at("VA", seconds(40), true),  at("VA", seconds(30), false), at("VA", seconds(20), false),
      at("NY", seconds(50), false), at("NY", seconds(40), false), at("NY", seconds(30), true),
      at("NY", seconds(20), false), at("", seconds(20), false)};
  for (const auto& hb : rows) store->submit(hb);
  REQUIRE(store->flush(5s));
  CHECK(store->stats().written == 8);
  CHECK(store->stats().duplicates == 0);
  store->submit(rows[2]);  // replays
  store->submit(rows[6]);
  REQUIRE(store->flush(5s));
  CHECK(store->stats().duplicates == 2);
  CHECK(scalar("SELECT count(*) FROM heartbeats") == "8");
  CHECK(scalar("SELECT count(*) FROM heartbeats WHERE datacenter = 'VA'") == "3");
  CHECK(scalar("SELECT count(*) FROM heartbeats WHERE datacenter = ''") == "1");
  CHECK(ask_streaks(*store, "VA").failures == std::unordered_map<std::string, int>{{"api", 2}});
  CHECK(ask_streaks(*store, "NY").failures == std::unordered_map<std::string, int>{{"api", 1}});
  CHECK(ask_streaks(*store, "").failures == std::unordered_map<std::string, int>{{"api", 1}});
  CHECK(ask_streaks(*store, "LON").failures.empty());
  // The status page: a monitor per location, by name then datacenter; incidents per location.
  const status_summary st = ask_status(*store);
  CHECK(st.error == "");
  REQUIRE(st.monitors.size() == 3);
  CHECK(st.monitors[0].datacenter == "");
  CHECK(st.monitors[1].datacenter == "NY");
  CHECK(st.monitors[2].datacenter == "VA");
  for (const auto& m : st.monitors) CHECK(m.name == "api");
  CHECK(st.monitors[1].checks_24h == 4);
  CHECK(st.monitors[1].up_24h == 1);
  CHECK(st.monitors[2].checks_24h == 3);
  CHECK(st.monitors[2].up_24h == 1);
  CHECK_FALSE(st.monitors[2].last_success);
  std::map<std::string, std::vector<int>> runs;  // datacenter -> failures per incident
  for (const auto& i : st.incidents) runs[i.datacenter].push_back(i.failures);
  CHECK(runs["VA"] == std::vector<int>{2});
  CHECK(runs["NY"] == std::vector<int>{1, 2});  // ongoing first, then the ended one
  CHECK(runs[""] == std::vector<int>{1});
  store->stop();
}

}  // namespace

TEST_CASE("store: sqlite keeps a row per location for one monitor and slot; streaks per location") {
  temp_dir dir;
  const std::string db = dir.path + "/hb.db";
  check_locations("sqlite:" + db, dir.path,
                  [&](const std::string& sql) { return sqlite_rows(db, sql)[0][0]; });
}

TEST_CASE(
    "store: postgres keeps a row per location for one monitor and slot; streaks per location") {
  auto& pg = fresh_pg();
  temp_dir dir;
  check_locations(pg.dsn(), dir.path, [&](const std::string& sql) { return pg.query(sql)[0][0]; });
}

TEST_CASE("store: a postgres table of the old shape is upgraded in place, every row kept") {
  auto& pg = fresh_pg();
  temp_dir dir;
  pg.exec(test::old_postgres_ddl);
  // 25,000 rows without a datacenter (three backfill slices), two with one.
  pg.exec(
      "INSERT INTO heartbeats (monitor_name, worker_id, scheduled_at, started_at, success, dns_ms, "
      "connect_ms, tls_ms, ttfb_ms, transfer_ms, total_ms, response_bytes) SELECT 'm' || (i % 10), "
      "'old', timestamptz '2026-01-01' + i * interval '1 minute', now(), i % 3 = 0, 0, 0, 0, 0, "
      "0, i, 0 FROM generate_series(1, 25000) i");
  pg.exec(
      "INSERT INTO heartbeats (monitor_name, worker_id, datacenter, scheduled_at, started_at, "
      "success, dns_ms, connect_ms, tls_ms, ttfb_ms, transfer_ms, total_ms, response_bytes) VALUES "
      "('x', 'old', 'VA', '2026-02-01', now(), true, 0, 0, 0, 0, 0, 1, 0), "
      "('y', 'old', 'VA', '2026-02-01', now(), false, 0, 0, 0, 0, 0, 2, 0)");
  // A concurrent build that died leaves an INVALID index under the new key's name.
  pg.exec(
      "INSERT INTO heartbeats (monitor_name, worker_id, scheduled_at, started_at, success, "
      "dns_ms, connect_ms, tls_ms, ttfb_ms, transfer_ms, total_ms, response_bytes) VALUES "
      "('z', 'old', '2026-03-01', now(), true, 0, 0, 0, 0, 0, 1, 0)");
  CHECK_THROWS(
      pg.exec("CREATE UNIQUE INDEX CONCURRENTLY "
              "heartbeats_datacenter_monitor_name_scheduled_at_key ON heartbeats (worker_id)"));
  const std::string digest =
      "SELECT count(*), sum(total_ms), count(*) FILTER (WHERE success), sum(hashtext(monitor_name "
      "|| scheduled_at::text || coalesce(datacenter, '-'))) FROM heartbeats WHERE worker_id = "
      "'old'";
  const rows_t before = pg.query(digest);
  CHECK(before[0][0] == "25003");
  {
    auto store = open_heartbeat_store(pg.dsn(), quick_options(dir.path));
    store->start();
    // A second location's row for an existing monitor and slot.
    heartbeat ny = make_hb("x", 0);
    ny.datacenter = "NY";
    ny.scheduled_at_us = *parse_utc_iso("2026-02-01T00:00:00.000Z");
    store->submit(ny);
    heartbeat replay = ny;
    replay.datacenter = "VA";
    store->submit(replay);  // VA's row is there already
    REQUIRE(store->flush(10s));
    CHECK(store->stats().written == 1);
    CHECK(store->stats().duplicates == 1);
    store->stop();
  }
  // Every old row, unchanged but for NULL -> '' (the digest reads both as before).
  const rows_t after = pg.query(
      "SELECT count(*), sum(total_ms), count(*) FILTER (WHERE success), sum(hashtext(monitor_name "
      "|| scheduled_at::text || CASE WHEN datacenter = '' THEN '-' ELSE datacenter END)) FROM "
      "heartbeats WHERE worker_id = 'old'");
  CHECK(after == before);
  CHECK(pg.query("SELECT count(*) FROM heartbeats WHERE datacenter IS NULL")[0][0] == "0");
  CHECK(pg.query("SELECT count(*) FROM heartbeats WHERE datacenter = ''")[0][0] == "25001");
  CHECK(pg.query("SELECT datacenter FROM heartbeats WHERE monitor_name = 'x' ORDER BY 1") ==
        rows_t{{"NY"}, {"VA"}});
  CHECK(pg.query("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'heartbeats'::regclass AND "
                 "attname = 'datacenter'")[0][0] == "t");
  CHECK(pg.query("SELECT string_agg(pg_get_constraintdef(oid), '; ' ORDER BY conname) FROM "
                 "pg_constraint WHERE conrelid = 'heartbeats'::regclass")[0][0] ==
        "UNIQUE (datacenter, monitor_name, scheduled_at)");
  CHECK(pg.query("SELECT count(*) FROM pg_index WHERE indrelid = 'heartbeats'::regclass AND NOT "
                 "indisvalid")[0][0] == "0");
  // A second start finds nothing to do.
  auto again = open_heartbeat_store(pg.dsn(), quick_options(dir.path));
  again->start();
  REQUIRE(again->flush(5s));
  again->stop();
  CHECK(pg_count(pg) == "25004");
}

TEST_CASE("store: a sqlite file of the old shape is upgraded in place, every row kept") {
  temp_dir dir;
  const std::string db = dir.path + "/hb.db";
  test::sqlite_exec(db, test::old_sqlite_ddl);
  test::sqlite_exec(db,
                    "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 2000) "
              "INSERT INTO heartbeats (monitor_name, worker_id, datacenter, scheduled_at, "
              "started_at, success, dns_ms, connect_ms, tls_ms, ttfb_ms, transfer_ms, total_ms, "
              "response_bytes) SELECT 'm' || (i % 10), 'old', CASE WHEN i % 2 = 0 THEN 'VA' END, "
              "strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || i || ' minutes'), '2026', "
              "i % 3 = 0, 0, 0, 0, 0, 0, i, 0 FROM s");
  const rows_t before = sqlite_rows(
      db,
      "SELECT monitor_name, coalesce(datacenter, ''), scheduled_at, success, total_ms FROM "
      "heartbeats ORDER BY rowid");
  REQUIRE(before.size() == 2000);
  const std::string slot = before[0][2];  // m1, no datacenter
  {
    auto store = open_heartbeat_store("sqlite:" + db, quick_options(dir.path));
    store->start();
    heartbeat ny = make_hb("m1", 0);
    ny.datacenter = "NY";
    ny.scheduled_at_us = *parse_utc_iso(slot);
    store->submit(ny);
    heartbeat dup = ny;
    dup.datacenter = "";
    store->submit(dup);  // the old row's identity: a duplicate
    REQUIRE(store->flush(10s));
    CHECK(store->stats().written == 1);
    CHECK(store->stats().duplicates == 1);
    store->stop();
  }
  CHECK(sqlite_rows(db,
                    "SELECT monitor_name, datacenter, scheduled_at, success, total_ms FROM "
                    "heartbeats WHERE worker_id = 'old' ORDER BY rowid") == before);
  CHECK(sqlite_rows(db,
                    "SELECT datacenter FROM heartbeats WHERE monitor_name = 'm1' AND "
                    "scheduled_at = '" +
                        slot + "' ORDER BY 1") == rows_t{{""}, {"NY"}});
  CHECK(sqlite_rows(db, "SELECT sql FROM sqlite_master WHERE name = 'heartbeats'")[0][0].find(
            "UNIQUE (datacenter, monitor_name, scheduled_at)") != std::string::npos);
  CHECK(sqlite_rows(db,
                    "SELECT count(*) FROM sqlite_master WHERE name = "
                    "'heartbeats_scheduled_at_idx'")[0][0] == "1");
}

TEST_CASE("store: sqlite failure streaks count the rows still queued") {
  temp_dir dir;
  check_streaks("sqlite:" + dir.path + "/hb.db", dir.path);
}

TEST_CASE("store: postgres failure streaks count queued rows; an outage answers an error") {
  auto& pg = fresh_pg();
  temp_dir dir;
  check_streaks(pg.dsn(), dir.path);

  // Through an outage: the spooled row is counted once the database is back.
  auto store = open_heartbeat_store(pg.dsn(), quick_options(dir.path));
  store->start();
  CHECK(ask_streaks(*store).failures.at("up") == 3);
  pg.stop();
  store->submit(recent_hb("up", 1s, false));
  const auto asked = std::chrono::steady_clock::now();
  CHECK(ask_streaks(*store).error != "");
  CHECK(std::chrono::steady_clock::now() - asked < 5s);  // bounded by the store's timeout
  CHECK(store->stats().spooled == 1);
  pg.start();
  failure_streaks s;
  CHECK(eventually(
      [&] {
        s = ask_streaks(*store);
        return s.error.empty();
      },
      10s));
  CHECK(s.failures.at("up") == 4);
  CHECK(store->stats().spooled == 0);
  store->stop();
}

TEST_CASE("store: sqlite status summary: uptime, slices and incidents") {
  temp_dir dir;
  check_status("sqlite:" + dir.path + "/hb.db", dir.path);
}

TEST_CASE("store: postgres status summary: uptime, slices and incidents; an outage answers") {
  auto& pg = fresh_pg();
  temp_dir dir;
  check_status(pg.dsn(), dir.path);
  auto store = open_heartbeat_store(pg.dsn(), quick_options(dir.path));
  store->start();
  CHECK(ask_status(*store).monitors.size() == 5);
  pg.stop();
  const auto asked = std::chrono::steady_clock::now();
  CHECK(ask_status(*store).error != "");
  CHECK(std::chrono::steady_clock::now() - asked < 5s);
  pg.start();
  store->stop();
}

TEST_CASE("store: on_written reports commits that inserted rows; a summary asked then has them") {
  temp_dir dir;
  auto o = quick_options(dir.path);
  std::atomic<int> calls{0};
  o.on_written = [&] { ++calls; };
  auto store = open_heartbeat_store("sqlite:" + dir.path + "/hb.db", o);
  store->start();
  CHECK(ask_status(*store).monitors.empty());
  CHECK(calls == 0);  // reading is not writing
  const heartbeat hb = recent_hb("up", 1s, true);
  store->submit(hb);
  REQUIRE(eventually([&] { return calls > 0; }, 10s));
  const auto s = ask_status(*store);
  REQUIRE(s.monitors.size() == 1);
  CHECK(s.monitors[0].last_at_us == hb.scheduled_at_us);
  CHECK(s.took_ms >= 0);
  // A duplicate inserts nothing: no call.
  const int before = calls;
  store->submit(hb);
  REQUIRE(store->flush(5s));
  CHECK(store->stats().duplicates == 1);
  CHECK(calls == before);
  store->stop();
}

TEST_CASE("store: a bad spec is refused at load time with the password masked") {
  const std::string unknown = message_of("mysql://eda:s3cret@db/eda");
  CHECK(unknown.find("unknown heartbeat store") != std::string::npos);
  CHECK(unknown.find("s3cret") == std::string::npos);
  CHECK(message_of("sqlite:").find("needs a file path") != std::string::npos);
  const std::string bad_dsn = message_of("host=h password=s3cret port=1 nonsense=1");
  CHECK(bad_dsn.find("invalid PostgreSQL DSN") != std::string::npos);
  CHECK(bad_dsn.find("s3cret") == std::string::npos);
}

TEST_CASE("store: spool lines round-trip; a torn last line is cut at open; one owner at a time") {
  temp_dir dir;
  const heartbeat hb = full_hb();
  heartbeat back;
  REQUIRE(store::decode_heartbeat(store::encode_heartbeat(hb), back));
  CHECK(store::encode_heartbeat(back) == store::encode_heartbeat(hb));
  CHECK(back.error == hb.error);
  CHECK(*back.cert_expires_at == *hb.cert_expires_at);
  CHECK(!store::decode_heartbeat("{\"monitor_name\": 3", back));
  {
    std::ofstream out(dir.path + "/heartbeats.spool");
    out << store::encode_heartbeat(hb) << "\n"
        << store::encode_heartbeat(sparse_hb()) << "\n"
        << "{\"monitor_na";
  }
  store::heartbeat_spool spool(dir.path, 1 << 20);
  CHECK(spool.pending() == 2);
  CHECK(spool.bytes() == fs::file_size(dir.path + "/heartbeats.spool"));
  std::vector<heartbeat> rows;
  std::uint64_t bad = 0;
  std::string error;
  REQUIRE(spool.read(10, rows, bad, error));
  CHECK(rows.size() == 2);
  CHECK(bad == 0);
  CHECK(rows[1].monitor_name == "from-args");
  CHECK_THROWS_WITH_AS(store::heartbeat_spool(dir.path, 1 << 20),
                       doctest::Contains("in use by another process"), std::runtime_error);
}

TEST_CASE("store: sqlite rows land with every column right, in WAL mode") {
  temp_dir dir;
  const std::string db = dir.path + "/hb.db";
  auto store = open_heartbeat_store("sqlite:" + db, store_options{});
  store->start();
  store->submit(full_hb());
  store->submit(sparse_hb());
  REQUIRE(store->flush(5s));
  CHECK(store->stats().written == 2);
  CHECK(fs::exists(dir.path + "/heartbeats.spool"));  // the spool sits next to the file
  CHECK(sqlite_rows(db, "PRAGMA journal_mode")[0][0] == "wal");
  const auto rows = sqlite_rows(db, select_columns(false, "rowid"));
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == expected_rows(false)[0]);
  CHECK(rows[1] == expected_rows(false)[1]);
  store->stop();
}

TEST_CASE("store: sqlite ignores duplicates and keeps the order; retention deletes old rows") {
  temp_dir dir;
  const std::string db = dir.path + "/hb.db";
  auto o = quick_options(dir.path);
  o.batch_size = 3;
  auto store = open_heartbeat_store("sqlite:" + db, o);
  store->start();
  for (int i = 0; i < 7; ++i) store->submit(make_hb("m" + std::to_string(i), i));
  REQUIRE(store->flush(5s));
  store->submit(make_hb("m1", 1));
  store->submit(make_hb("m7", 7));
  store->submit(make_hb("m3", 3));
  REQUIRE(store->flush(5s));
  CHECK(store->stats().written == 8);
  CHECK(store->stats().duplicates == 2);
  rows_t expected;
  for (int i = 0; i < 8; ++i) expected.push_back({"m" + std::to_string(i)});
  CHECK(sqlite_rows(db, "SELECT monitor_name FROM heartbeats ORDER BY rowid") == expected);
  store.reset();  // a spool has one owner at a time

  // Retention: a row scheduled two hours ago goes, a fresh one stays.
  o.retention = 1h;
  o.retention_every = 50ms;
  auto kept = make_hb("fresh", 0);
  kept.scheduled_at_us = utc_now_us();
  auto old = make_hb("old", 0);
  old.scheduled_at_us = utc_now_us() - 7'200'000'000LL;
  auto again = open_heartbeat_store("sqlite:" + db, o);
  again->start();
  again->submit(kept);
  again->submit(old);
  REQUIRE(again->flush(5s));
  CHECK(eventually(
      [&] {
        return sqlite_rows(db,
                           "SELECT 1 FROM heartbeats WHERE monitor_name = "
                           "'old'")
            .empty();
      },
      3s));
  CHECK(sqlite_rows(db, "SELECT count(*) FROM heartbeats WHERE monitor_name = 'fresh'")[0][0] ==
        "1");
  CHECK(sqlite_rows(db, "SELECT count(*) FROM heartbeats")[0][0] == "1");  // m0..m7 were in 2026
}

TEST_CASE("store: postgres rows land with every column right") {
  auto& pg = fresh_pg();
  temp_dir dir;
  auto store = open_heartbeat_store(pg.dsn_kv(), quick_options(dir.path));
  CHECK(store->describe() == "postgresql rb@127.0.0.1:" + std::to_string(pg.port()) + "/rb");
  store->start();
  store->submit(full_hb());
  store->submit(sparse_hb());
  REQUIRE(store->flush(5s));
  CHECK(store->stats().written == 2);
  const auto rows = pg.query(select_columns(true, "ctid"));
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == expected_rows(true)[0]);
  CHECK(rows[1] == expected_rows(true)[1]);
  store->stop();
}

TEST_CASE("store: postgres ignores duplicates and keeps the order; a bad row cannot block others") {
  auto& pg = fresh_pg();
  temp_dir dir;
  auto o = quick_options(dir.path);
  o.batch_size = 4;
  auto store = open_heartbeat_store(pg.dsn(), o);
  store->start();
  for (int i = 0; i < 10; ++i) store->submit(make_hb("m" + std::to_string(i), i));
  REQUIRE(store->flush(5s));
  for (int i : {2, 10, 5, 11}) store->submit(make_hb("m" + std::to_string(i), i));
  auto not_json = make_hb("m12", 12);
  not_json.failed_conditions = "not json";  // kept as a JSON string
  store->submit(not_json);
  auto nul = make_hb("m13", 13);
  nul.error = std::string("nul\0byte", 8);  // PostgreSQL text has no NUL: dropped from the text
  store->submit(nul);
  // Not UTF-8: the server refuses the batch as data; the rows go one by one and only it is lost.
  store->submit(make_hb("bad\xff", 14));
  REQUIRE(store->flush(5s));
  const auto s = store->stats();
  CHECK(s.written == 14);
  CHECK(s.duplicates == 2);
  CHECK(s.dropped == 1);
  rows_t expected;
  for (int i = 0; i < 14; ++i) expected.push_back({"m" + std::to_string(i)});
  CHECK(pg.query("SELECT monitor_name FROM heartbeats ORDER BY ctid") == expected);
  CHECK(pg.query("SELECT failed_conditions #>> '{}', error FROM heartbeats WHERE monitor_name IN "
                 "('m12', 'm13') ORDER BY monitor_name") ==
        rows_t{{"not json", ""}, {"[]", "nulbyte"}});
  store->stop();
}

TEST_CASE("store: postgres down → spooled (fsync'd, in stats) → back → replayed in order") {
  auto& pg = fresh_pg();
  temp_dir dir;
  auto store = open_heartbeat_store(pg.dsn(), quick_options(dir.path));
  store->start();
  for (int i = 0; i < 10; ++i) store->submit(make_hb("m" + std::to_string(i), i));
  REQUIRE(store->flush(5s));
  REQUIRE(pg_count(pg) == "10");

  pg.stop();
  for (int i = 10; i < 30; ++i) store->submit(make_hb("m" + std::to_string(i), i));
  REQUIRE(store->flush(5s));
  auto s = store->stats();
  CHECK(s.spooled == 20);
  const std::string spool = dir.path + "/heartbeats.spool";
  REQUIRE(fs::exists(spool));
  CHECK(s.spool_bytes == fs::file_size(spool));
  CHECK(lines_in(spool) == 20);  // on disk before flush() returned (written and fdatasync'd)

  pg.start();
  // New rows right away: they must land after the spooled ones.
  for (int i = 30; i < 35; ++i) store->submit(make_hb("m" + std::to_string(i), i));
  REQUIRE(eventually([&] { return store->flush(1s) && store->stats().spooled == 0; }, 10s));
  CHECK(pg_count(pg) == "35");
  CHECK(pg.query("SELECT count(DISTINCT (monitor_name, scheduled_at)) FROM heartbeats")[0][0] ==
        "35");
  rows_t expected;
  for (int i = 0; i < 35; ++i) expected.push_back({"m" + std::to_string(i)});
  CHECK(pg.query("SELECT monitor_name FROM heartbeats ORDER BY ctid") == expected);
  s = store->stats();
  CHECK(s.written == 35);
  CHECK(s.spool_bytes == 0);
  CHECK(fs::file_size(spool) == 0);
  store->stop();
}

TEST_CASE("store: the next run replays what a previous run spooled; a full spool drops") {
  auto& pg = fresh_pg();
  temp_dir dir;
  auto o = quick_options(dir.path);
  o.timeout = 300ms;
  const std::string nowhere =
      "postgresql://rb:secret@127.0.0.1:" + std::to_string(test::free_loopback_port()) + "/rb";
  {
    auto down = open_heartbeat_store(nowhere, o);
    down->start();
    for (int i = 0; i < 5; ++i) down->submit(make_hb("m" + std::to_string(i), i));
    REQUIRE(down->flush(5s));
    CHECK(down->stats().spooled == 5);
    for (int i = 5; i < 8; ++i) down->submit(make_hb("m" + std::to_string(i), i));
    down->stop();  // spools what is queued
  }
  CHECK(lines_in(dir.path + "/heartbeats.spool") == 8);
  {
    auto up = open_heartbeat_store(pg.dsn(), o);
    CHECK(up->stats().spooled == 8);
    up->start();
    REQUIRE(eventually([&] { return up->flush(1s) && up->stats().spooled == 0; }, 10s));
    CHECK(up->stats().written == 8);
    up->stop();
  }
  rows_t expected;
  for (int i = 0; i < 8; ++i) expected.push_back({"m" + std::to_string(i)});
  CHECK(pg.query("SELECT monitor_name FROM heartbeats ORDER BY ctid") == expected);

  // The spool limit: what does not fit is counted as dropped.
  temp_dir small;
  auto lim = quick_options(small.path);
  lim.timeout = 300ms;
  lim.spool_limit_bytes = 2000;
  auto down = open_heartbeat_store(nowhere, lim);
  down->start();
  for (int i = 0; i < 50; ++i) down->submit(make_hb("m" + std::to_string(i), i));
  REQUIRE(down->flush(5s));
  const auto s = down->stats();
  CHECK(s.dropped > 0);
  CHECK(s.spooled > 0);
  CHECK(s.spooled + s.dropped == 50);
  CHECK(s.spool_bytes <= 2000);
  down->stop();
}

TEST_CASE("store: the HA fence keeps a check only if it started inside its worker's term") {
  auto& pg = fresh_pg();
  {
    std::string error;
    auto c = ha::pg_connection::connect(pg.dsn(), {}, ha::mono::now() + 5s, -1, error);
    REQUIRE(c);
    REQUIRE(ha::ensure_schema(*c, ha::mono::now() + 5s) == "");
  }
  // Term 1 by w1 began at T1, term 2 by w2 at T2, term 3 by w2 again at T3 (its database was
  // away: nobody else led), term 4 by w1 at T4 (the current one).
  const std::int64_t t1 = base_us, t2 = base_us + 60'000'000, t3 = t2 + 60'000'000,
                     t4 = t3 + 60'000'000;
  auto term = [](int epoch, const char* worker, std::int64_t at) {
    return "('g', " + std::to_string(epoch) + ", '" + worker + "', to_timestamp(" +
           std::to_string(at) + " / 1e6))";
  };
  pg.exec("INSERT INTO rulebook_ha_terms VALUES " + term(1, "w1", t1) + ", " + term(2, "w2", t2) +
          ", " + term(3, "w2", t3) + ", " + term(4, "w1", t4));
  pg.exec(
      "INSERT INTO rulebook_ha_leader (ha_uuid, epoch, token, worker_id, backend_pid) VALUES "
      "('g', 4, 'tok', 'w1', 0)");
  auto hb = [](const std::string& name, const std::string& worker, std::optional<int> epoch,
               std::int64_t started) {
    heartbeat h = make_hb(name, 0);
    h.worker_id = worker;
    h.ha_epoch = epoch;
    h.started_at_us = started;
    return h;
  };
  temp_dir dir;
  auto o = quick_options(dir.path);
  o.ha_uuid = "g";
  auto store = open_heartbeat_store(pg.dsn(), o);
  store->start();
  store->submit(hb("w1-before-t2", "w1", 1, t2 - 1000));  // kept: the overlap had not begun
  store->submit(hb("w1-after-t2", "w1", 1, t2 + 1000));   // refused: a stale leader's check
  store->submit(hb("w1-at-t2", "w1", 1, t2));             // refused: term 2 began at started_at
  store->submit(hb("w2-in-t2", "w2", 2, t2 + 2000));      // kept
  store->submit(hb("w2-claims-1", "w2", 1, t1 + 1000));   // refused: term 1 was not w2's
  store->submit(hb("no-epoch", "w1", std::nullopt, t2 + 3000));  // refused: HA needs an epoch
  // Observe-only across w2's own re-acquisition: kept; after w1's term 4 began: refused.
  store->submit(hb("w2-bridges-t3", "w2", 2, t3 + 1000));
  store->submit(hb("w2-after-t4", "w2", 2, t4 + 1000));
  REQUIRE(store->flush(5s));
  const auto s = store->stats();
  CHECK(s.written == 3);
  CHECK(s.rejected == 5);
  CHECK(pg.query("SELECT monitor_name FROM heartbeats ORDER BY ctid") ==
        rows_t{{"w1-before-t2"}, {"w2-in-t2"}, {"w2-bridges-t3"}});
  store->stop();
}

TEST_CASE("store: the elector records its term; the fence accepts its leader's heartbeats") {
  auto& pg = fresh_pg();
  ha::settings hs;
  hs.dsn = pg.dsn();
  hs.ha_uuid = "g2";
  hs.worker_id = "a";
  hs.lease = 1.5;
  ha::elector a(hs, {});
  a.start();
  REQUIRE(eventually([&] { return a.trusted_now(); }, 10s));
  const std::int64_t epoch = a.term().epoch;
  CHECK(pg.query("SELECT epoch, worker_id FROM rulebook_ha_terms WHERE ha_uuid = 'g2'") ==
        rows_t{{std::to_string(epoch), "a"}});
  temp_dir dir;
  auto o = quick_options(dir.path);
  o.ha_uuid = "g2";
  auto store = open_heartbeat_store(pg.dsn(), o);
  store->start();
  heartbeat hb = make_hb("led", 0);
  hb.worker_id = "a";
  hb.ha_epoch = epoch;
  hb.started_at_us = utc_now_us();
  store->submit(hb);
  REQUIRE(store->flush(5s));
  CHECK(store->stats().written == 1);
  CHECK(store->stats().rejected == 0);
  store->stop();
  a.stop(true);
}

TEST_CASE("store: docs/monitoring.md quotes the DDL the stores run") {
  std::ifstream in(std::string(RB_SOURCE_DIR) + "/docs/monitoring.md");
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str().find(store::postgres_ddl) != std::string::npos);
  CHECK(text.str().find(store::sqlite_ddl) != std::string::npos);
}

TEST_CASE("store: scripts/uptime_ha.sql creates the config tables as the engine documents them") {
  std::ifstream in(std::string(RB_SOURCE_DIR) + "/scripts/uptime_ha.sql");
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str().find(store::monitor_catalog_ddl) != std::string::npos);
}
