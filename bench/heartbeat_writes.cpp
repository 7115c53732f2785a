// Heartbeat write throughput into one throwaway PostgreSQL: the store's batched COPY against one
// INSERT per row in autocommit (the seeds' way), then the SQLite store. Each figure is rows/s from
// the first submit (or INSERT) until the last row is committed. Run by bench/heartbeat_writes.sh.
//
//   bench_heartbeat_writes [--rows N] [--single-rows N] [--fast] [--verbose]
//     --rows         rows through each store (default 100000)
//     --single-rows  rows for the one-INSERT-per-row run (default 5000; it is slow)
//     --fast         keep the test server's fsync=off, synchronous_commit=off (default: both on,
//                    as a production server runs)
#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/clock.h"
#include "ha/pg_conn.h"
#include "store/heartbeat_store.h"
#include "support/heartbeat_sample.h"
#include "support/pg_server.h"

using namespace rb;
using clk = std::chrono::steady_clock;

namespace {

// 500 monitors, one check a minute each; one check in 17 fails.
heartbeat make_hb(int i, std::int64_t base_us) {
  heartbeat hb = test::sample_heartbeat(i % 500, "monitor-" + std::to_string(i % 500),
                                        base_us + static_cast<std::int64_t>(i / 500) * 60'000'000);
  if (i % 17 != 0) {
    hb.success = true;
    hb.status_code = 200;
    hb.failed_conditions = "[]";
  }
  return hb;
}

std::string loadavg() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

double store_rate(const std::string& spec, const std::string& spool, int rows, std::int64_t base) {
  store_options o;
  o.spool_dir = spool;
  o.timeout = std::chrono::milliseconds(30000);
  auto store = open_heartbeat_store(spec, o);
  store->start();
  const auto t0 = clk::now();
  for (int i = 0; i < rows; ++i) store->submit(make_hb(i, base));
  if (!store->flush(std::chrono::minutes(5))) std::fprintf(stderr, "flush timed out\n");
  const double s = std::chrono::duration<double>(clk::now() - t0).count();
  const auto st = store->stats();
  store->stop();
  if (st.written != static_cast<std::uint64_t>(rows) || st.spooled != 0)
    std::fprintf(stderr, "%s: written %llu of %d, spooled %llu\n", spec.c_str(),
                 static_cast<unsigned long long>(st.written), rows,
                 static_cast<unsigned long long>(st.spooled));
  return rows / s;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  int rows = 100000, single_rows = 5000;
  bool fast = false;
  bool verbose = false;  // the store's per-batch info lines (commit time of each batch)
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--rows") && i + 1 < argc)
      rows = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--single-rows") && i + 1 < argc)
      single_rows = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--fast"))
      fast = true;
    else if (!std::strcmp(argv[i], "--verbose"))
      verbose = true;
    else {
      std::fprintf(stderr, "usage: %s [--rows N] [--single-rows N] [--fast] [--verbose]\n",
                   argv[0]);
      return 2;
    }
  }
  spdlog::set_level(verbose ? spdlog::level::info : spdlog::level::warn);
  std::printf("load average before: %s\n", loadavg().c_str());
  test::pg_server pg;
  if (!fast) {
    pg.exec("ALTER SYSTEM SET fsync = on");
    pg.exec("ALTER SYSTEM SET synchronous_commit = on");
    pg.exec("SELECT pg_reload_conf()");
  }
  const std::string tmp =
      (std::filesystem::temp_directory_path() / ("rb-bench-hb-" + std::to_string(::getpid())))
          .string();
  std::filesystem::create_directories(tmp);
  const std::int64_t base = utc_now_us();

  // 1. The store: COPY batches (creates the table).
  const double copy_rate = store_rate(pg.dsn(), tmp + "/spool-pg", rows, base);
  pg.exec("TRUNCATE heartbeats");

  // 2. One INSERT per row, autocommit, one round trip each.
  std::string error;
  auto conn = ha::pg_connection::connect(pg.dsn(), {}, ha::mono::now() + std::chrono::seconds(10),
                                         -1, error);
  if (!conn) {
    std::fprintf(stderr, "connect: %s\n", error.c_str());
    return 1;
  }
  const std::string insert =
      "INSERT INTO heartbeats (monitor_id, monitor_name, worker_id, datacenter, region, "
      "scheduled_at, started_at, success, status_code, dns_ms, connect_ms, tls_ms, ttfb_ms, "
      "transfer_ms, total_ms, response_bytes, cert_expires_at, failed_conditions, error, "
      "ha_epoch) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
      "to_timestamp($17), $18, NULLIF($19, ''), NULL)";
  const auto t0 = clk::now();
  for (int i = 0; i < single_rows; ++i) {
    const heartbeat hb = make_hb(i, base);
    auto r = conn->query(
        insert,
        {std::to_string(*hb.monitor_id), hb.monitor_name, hb.worker_id, hb.datacenter, hb.region,
         std::string(utc_stamp(hb.scheduled_at_us).view()),
         std::string(utc_stamp(hb.started_at_us).view()), hb.success ? "t" : "f",
         std::to_string(*hb.status_code), std::to_string(hb.dns_ms), std::to_string(hb.connect_ms),
         std::to_string(hb.tls_ms), std::to_string(hb.ttfb_ms), std::to_string(hb.transfer_ms),
         std::to_string(hb.total_ms), std::to_string(hb.response_bytes),
         std::to_string(*hb.cert_expires_at), hb.failed_conditions, hb.error},
        ha::mono::now() + std::chrono::seconds(10));
    if (!r.ok()) {
      std::fprintf(stderr, "insert: %s\n", r.error.c_str());
      return 1;
    }
  }
  const double single_rate = single_rows / std::chrono::duration<double>(clk::now() - t0).count();
  conn.reset();

  // 3. The SQLite store.
  const double sqlite_rate =
      store_rate("sqlite:" + tmp + "/hb.db", tmp + "/spool-sqlite", rows, base);
  std::filesystem::remove_all(tmp);

  std::printf("PostgreSQL %s (fsync %s, synchronous_commit %s)\n",
              pg.query("SHOW server_version")[0][0].c_str(), fast ? "off" : "on",
              fast ? "off" : "on");
  std::printf("| writer | rows | rows/s |\n|---|---:|---:|\n");
  std::printf("| store, PostgreSQL COPY batches | %d | %s |\n", rows, num(copy_rate).c_str());
  std::printf("| one INSERT per row, autocommit | %d | %s |\n", single_rows,
              num(single_rate).c_str());
  std::printf("| store, SQLite (WAL, synchronous=FULL) | %d | %s |\n", rows,
              num(sqlite_rate).c_str());
  std::printf("ratio COPY / INSERT per row: %.1fx\n", copy_rate / single_rate);
  std::printf("load average after: %s\n", loadavg().c_str());
  return 0;
}
