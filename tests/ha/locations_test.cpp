// Locations with the real binary: a database made before locations is upgraded in place at
// start-up (PostgreSQL and SQLite, every row kept, a second location's row then kept), six
// workers started at once on a fresh PostgreSQL all come up, and checks leave from the source
// address asked for.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "cluster.h"
#include "support/http_server.h"
#include "support/old_schema.h"
#include "support/sqlite_rows.h"

using namespace rb;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using rows_t = std::vector<std::vector<std::string>>;

namespace {

// One http_check of `url` as monitor `m`, then the rulebook ends.
std::string one_check_rulebook(const test::temp_dir& dir, const std::string& url,
                               const std::string& extra_args = "") {
  return dir.write("one_check.yml", R"(---
- name: one check
  hosts: all
  sources:
    - range:
        limit: 1
  rules:
    - name: check
      condition: event.i == 0
      action:
        http_check:
          url: )" + url + R"(
          name: m
          post_events: false
)" + extra_args);
}

// Old rows: 3,000 of monitors m0..m9 without a datacenter, one of `m` at 2026-01-01T00:00:00Z.
const char* old_rows_pg =
    "INSERT INTO heartbeats (monitor_name, worker_id, scheduled_at, started_at, success, dns_ms, "
    "connect_ms, tls_ms, ttfb_ms, transfer_ms, total_ms, response_bytes) SELECT CASE WHEN i = 0 "
    "THEN 'm' ELSE 'm' || (i % 10) END, 'old', timestamptz '2026-01-01 00:00:00+00' + i * "
    "interval '1 minute', now(), i % 3 = 0, 0, 0, 0, 0, 0, i, 0 FROM generate_series(0, 2999) i";

const char* row_ny_pg =
    "INSERT INTO heartbeats (monitor_name, worker_id, datacenter, scheduled_at, started_at, "
    "success, dns_ms, connect_ms, tls_ms, ttfb_ms, transfer_ms, total_ms, response_bytes) VALUES "
    "('m', 'by-hand', '%s', '2026-01-01 00:00:00+00', now(), true, 0, 0, 0, 0, 0, 1, 0) ON "
    "CONFLICT DO NOTHING RETURNING 1";

std::string with_dc(const char* fmt, const std::string& dc) {
  std::string s = fmt;
  s.replace(s.find("%s"), 2, dc);
  return s;
}

// A loopback HTTP server that answers 200 and records each client's address.
class peer_recorder {
 public:
  peer_recorder() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int on = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    REQUIRE(::listen(fd_, 16) == 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~peer_recorder() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
  std::vector<std::string> peers() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return peers_;
  }

 private:
  void serve() {
    while (!stop_) {
      sockaddr_in peer{};
      socklen_t len = sizeof peer;
      const int c = ::accept4(fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
      if (c < 0) return;
      char ip[INET_ADDRSTRLEN] = {};
      ::inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        peers_.push_back(ip);
      }
      char buf[4096];
      std::string req;
      while (req.find("\r\n\r\n") == std::string::npos) {
        const auto n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        req.append(buf, static_cast<std::size_t>(n));
      }
      const std::string reply =
          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
      [[maybe_unused]] auto w = ::write(c, reply.data(), reply.size());
      ::close(c);
    }
  }
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> peers_;
  std::thread thread_;
};

}  // namespace

TEST_CASE("locations: the binary upgrades a postgres table of the old shape, every row kept") {
  test::pg_server pg;
  test::http_server target;
  test::temp_dir dir;
  pg.exec(test::old_postgres_ddl);
  pg.exec(old_rows_pg);
  const std::string digest =
      "SELECT count(*), sum(total_ms), count(*) FILTER (WHERE success), sum(hashtext(monitor_name "
      "|| scheduled_at::text || coalesce(nullif(datacenter, ''), '-'))) FROM heartbeats WHERE "
      "worker_id = 'old'";
  const rows_t before = pg.query(digest);
  REQUIRE(before[0][0] == "3000");
  // Before: a second location's row for m's slot is dropped as a duplicate.
  CHECK(pg.query(with_dc(row_ny_pg, "NY")).empty());

  auto r = test::run_rulebook(
      {"-r", one_check_rulebook(dir, target.url("/ok")), "--heartbeat-store", pg.dsn(),
       "--heartbeat-spool", dir.path() + "/spool", "--datacenter", "LON", "--region", "eu", "-v"},
      120s);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(pg.query(digest) == before);
  CHECK(pg.query("SELECT datacenter, region FROM heartbeats WHERE worker_id <> 'old'") ==
        rows_t{{"LON", "eu"}});
  CHECK(pg.query(with_dc(row_ny_pg, "NY")) == rows_t{{"1"}});  // now kept
  CHECK(pg.query(with_dc(row_ny_pg, "")).empty());             // the old row's identity
  CHECK(pg.query("SELECT datacenter FROM heartbeats WHERE monitor_name = 'm' AND scheduled_at = "
                 "'2026-01-01 00:00:00+00' ORDER BY 1") == rows_t{{""}, {"NY"}});
  CHECK(pg.query("SELECT string_agg(pg_get_constraintdef(oid), '; ') FROM pg_constraint WHERE "
                 "conrelid = 'heartbeats'::regclass")[0][0] ==
        "UNIQUE (datacenter, monitor_name, scheduled_at)");
  CHECK(pg.query("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'heartbeats'::regclass AND "
                 "attname = 'datacenter'")[0][0] == "t");
}

TEST_CASE("locations: the binary upgrades a sqlite file of the old shape, every row kept") {
  test::http_server target;
  test::temp_dir dir;
  const std::string db = dir.path() + "/hb.db";
  test::sqlite_exec(db, test::old_sqlite_ddl);
  test::sqlite_exec(
      db,
      "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < 2999) INSERT INTO "
      "heartbeats (monitor_name, worker_id, datacenter, scheduled_at, started_at, success, dns_ms, "
      "connect_ms, tls_ms, ttfb_ms, transfer_ms, total_ms, response_bytes) SELECT CASE WHEN i = 0 "
      "THEN 'm' ELSE 'm' || (i % 10) END, 'old', CASE WHEN i % 2 = 1 THEN 'VA' END, "
      "strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || i || ' minutes'), '2026', i % 3 = 0, "
      "0, 0, 0, 0, 0, i, 0 FROM s");
  const std::string cols =
      "SELECT monitor_name, coalesce(datacenter, ''), scheduled_at, started_at, success, total_ms "
      "FROM heartbeats WHERE worker_id = 'old' ORDER BY scheduled_at";
  const rows_t before = test::sqlite_rows(db, cols);
  REQUIRE(before.size() == 3000);

  auto r = test::run_rulebook({"-r", one_check_rulebook(dir, target.url("/ok")),
                               "--heartbeat-store", "sqlite:" + db, "--datacenter", "LON"},
                              120s);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(test::sqlite_rows(db, cols) == before);
  CHECK(test::sqlite_rows(db, "SELECT count(*) FROM heartbeats WHERE datacenter IS NULL")[0][0] ==
        "0");
  CHECK(test::sqlite_rows(db, "SELECT datacenter FROM heartbeats WHERE worker_id <> 'old'") ==
        rows_t{{"LON"}});
  const std::string slot = before[0][2];
  const std::string insert =
      "INSERT OR IGNORE INTO heartbeats (monitor_name, worker_id, datacenter, scheduled_at, "
      "started_at, success, dns_ms, connect_ms, tls_ms, ttfb_ms, transfer_ms, total_ms, "
      "response_bytes) VALUES ('m', 'by-hand', '%s', '" +
      slot + "', '2026', 1, 0, 0, 0, 0, 0, 1, 0)";
  test::sqlite_exec(db, with_dc(insert.c_str(), "NY"));
  test::sqlite_exec(db, with_dc(insert.c_str(), ""));
  CHECK(test::sqlite_rows(db,
                          "SELECT datacenter FROM heartbeats WHERE monitor_name = 'm' AND "
                          "scheduled_at = '" +
                              slot + "' ORDER BY 1") == rows_t{{""}, {"NY"}});
}

TEST_CASE("locations: six workers started at once on a fresh PostgreSQL all come up") {
  test::pg_server pg;
  test::temp_dir dir;
  // The scripts' way: each worker loads scripts/uptime_ha.sql, then runs the HA example. The
  // binary is linked into a directory of its own (ha_worker.sh starts a demo_target found next
  // to it).
  fs::create_directories(dir.path() + "/bin");
  fs::create_symlink(RB_BINARY, dir.path() + "/bin/rulebook");
  std::vector<int> pids;
  std::vector<std::string> errs;
  for (int i = 1; i <= 6; ++i) {
    const std::string id = "worker-" + std::to_string(i);
    errs.push_back(dir.path() + "/" + id + ".err");
    pids.push_back(test::spawn_program(
        test::source_path("scripts/ha_worker.sh"),
        {id, "--heartbeat-spool", dir.path() + "/spool-" + id, "--ha-poll-interval", "1"},
        dir.path() + "/" + id + ".out", errs.back(),
        {"RULEBOOK_BIN=" + dir.path() + "/bin/rulebook", "EDA_HA_POSTGRES_DSN=" + pg.dsn(),
         "EDA_HA_UUID=6a1c0c2e-0000-4000-8000-000000000006", "HA_EXAMPLE=uptime"}));
  }
  // Each one leads or waits; none exits.
  for (std::size_t i = 0; i < pids.size(); ++i) {
    INFO("worker-" << i + 1 << ": " << test::read_file(errs[i]));
    CHECK(test::wait_until(
        [&] {
          const std::string log = test::read_file(errs[i]);
          return log.find("Successfully acquired leadership") != std::string::npos ||
                 log.find("Another instance is active") != std::string::npos;
        },
        60s));
  }
  // The leader's heartbeats land in the table in today's shape.
  CHECK(test::wait_until(
      [&] {
        return pg.query("SELECT to_regclass('heartbeats') IS NOT NULL")[0][0] == "t" &&
               pg.query("SELECT count(*) > 0 FROM heartbeats")[0][0] == "t";
      },
      60s));
  for (std::size_t i = 0; i < pids.size(); ++i) {
    INFO("worker-" << i + 1 << ": " << test::read_file(errs[i]));
    CHECK(::kill(pids[i], 0) == 0);  // still running
  }
  CHECK(pg.query("SELECT string_agg(pg_get_constraintdef(oid), '; ') FROM pg_constraint WHERE "
                 "conrelid = 'heartbeats'::regclass")[0][0] ==
        "UNIQUE (datacenter, monitor_name, scheduled_at)");
  CHECK(pg.query("SELECT count(*) FROM pg_tables WHERE tablename IN ('regions', 'datacenters', "
                 "'agents', 'schedules', 'api_monitors', 'rulebook_ha_leader', "
                 "'rulebook_ha_workers', 'rulebook_ha_state', 'rulebook_ha_terms', "
                 "'heartbeats')")[0][0] == "10");
  CHECK(pg.query("SELECT count(*) FROM api_monitors")[0][0] == "5");
  // The config tables' location reaches the heartbeats.
  CHECK(pg.query("SELECT DISTINCT datacenter, region FROM heartbeats") ==
        rows_t{{"VA", "us-east"}});
  for (std::size_t i = 0; i < pids.size(); ++i) {
    ::kill(pids[i], SIGTERM);
    auto r = test::wait_rulebook(pids[i], dir.path() + "/worker-" + std::to_string(i + 1) + ".out",
                                 errs[i], 60s);
    INFO("worker-" << i + 1 << ": " << r.err);
    CHECK(r.exit_code == 0);
  }
}

TEST_CASE("locations: checks leave from --check-source-address, a monitor's source_address wins") {
  peer_recorder server;
  test::temp_dir dir;
  auto r =
      test::run_rulebook({"-r", one_check_rulebook(dir, server.url()), "--heartbeat-store",
                          "sqlite:" + dir.path() + "/hb.db", "--check-source-address", "127.0.0.2"},
                         60s);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(server.peers() == std::vector<std::string>{"127.0.0.2"});
  test::temp_dir dir2;
  r = test::run_rulebook(
      {"-r", one_check_rulebook(dir2, server.url(), "          source_address: 127.0.0.3\n"),
       "--heartbeat-store", "sqlite:" + dir2.path() + "/hb.db", "--check-source-address",
       "127.0.0.2"},
      60s);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(server.peers() == std::vector<std::string>{"127.0.0.2", "127.0.0.3"});
}
