#include "store/status_query.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>

#include "core/clock.h"

namespace rb::store {

namespace {

constexpr std::int64_t us_per_s = 1000000;
constexpr std::int64_t day_us = 86400 * us_per_s;

// The SQL that differs between the two dialects. Timestamps go in as literals the store made
// (no user text), and come out as µs since the epoch.
struct dialect {
  bool pg;
  std::string at(std::int64_t us) const {
    return pg ? "'" + std::string(utc_stamp(us).view()) + "'::timestamptz"
              : "'" + utc_iso_ms(us) + "'";
  }
  std::string epoch_us(const std::string& col) const {
    if (pg) return "floor(extract(epoch FROM " + col + ") * 1000000)::bigint";
    // SQLite keeps "YYYY-MM-DDTHH:MM:SS.mmmZ": whole seconds, then the milliseconds.
    return "(CAST(strftime('%s', " + col + ") AS INTEGER) * 1000000 + CAST(substr(" + col +
           ", 21, 3) AS INTEGER) * 1000)";
  }
  std::string epoch_s(const std::string& col) const {
    return pg ? "floor(extract(epoch FROM " + col + "))::bigint"
              : "CAST(strftime('%s', " + col + ") AS INTEGER)";
  }
};

constexpr const char* ok = "CASE WHEN success THEN 1 ELSE 0 END";

std::int64_t to_i64(const std::string& s) {
  std::int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

double to_double(const std::string& s, double none) {
  if (s.empty()) return none;
  try {
    return std::stod(s);
  } catch (const std::exception&) {  // "NaN" and friends from PostgreSQL
    return none;
  }
}

std::string value_text(const nlohmann::json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace

std::string failure_reason(const std::string& error, const std::string& failed_conditions,
                           const std::string& status_code) {
  if (!error.empty()) return error;
  std::string out;
  const auto list = nlohmann::json::parse(failed_conditions, nullptr, false);
  if (list.is_array()) {
    for (const auto& c : list) {
      if (!c.is_object()) continue;
      if (!out.empty()) out += "; ";
      out += value_text(c.value("condition", nlohmann::json("condition")));
      if (c.contains("actual")) out += " " + value_text(c["actual"]);
      if (c.contains("expected")) out += " (expected " + value_text(c["expected"]) + ")";
    }
  }
  if (out.empty() && !status_code.empty()) out = "status " + status_code;
  return out.empty() ? "failed" : out;
}

status_summary read_status_summary(backend& db, std::int64_t now_us) {
  status_summary out;
  out.as_of_us = now_us;
  const dialect d{db.postgres()};
  const std::int64_t week = now_us - 7 * day_us;
  const std::int64_t day = now_us - day_us;
  // Slices end at the next quarter hour, so that each keeps its place between refreshes.
  out.bucket_us = day_us / status_summary::bucket_count;
  const std::int64_t end = (now_us / out.bucket_us + 1) * out.bucket_us;
  out.buckets_from_us = end - status_summary::bucket_count * out.bucket_us;

  std::vector<std::vector<std::string>> rows;
  const std::string monitors_sql =
      "WITH m AS (SELECT datacenter, monitor_name, sum(CASE WHEN scheduled_at >= " + d.at(day) +
      " THEN 1 ELSE 0 END) AS n1, sum(CASE WHEN scheduled_at >= " + d.at(day) +
      " AND success THEN 1 ELSE 0 END) AS up1, count(*) AS n7, sum(" + ok +
      ") AS up7, max(scheduled_at) AS last_at FROM heartbeats WHERE scheduled_at >= " + d.at(week) +
      " GROUP BY datacenter, monitor_name) "
      "SELECT m.monitor_name, m.n1, m.up1, m.n7, m.up7, " +
      d.epoch_us("h.scheduled_at") + ", CASE WHEN h.success THEN 1 ELSE 0 END, h.status_code, " +
      "h.total_ms, h.error, h.failed_conditions, m.datacenter FROM m JOIN heartbeats h ON "
      "h.datacenter = m.datacenter AND h.monitor_name = m.monitor_name AND h.scheduled_at = "
      "m.last_at ORDER BY m.monitor_name, m.datacenter";
  if (!db.query_rows(monitors_sql, rows, out.error)) return out;
  std::map<std::pair<std::string, std::string>, std::size_t> index;  // (datacenter, name)
  for (const auto& r : rows) {
    monitor_status m;
    m.name = r[0];
    m.datacenter = r[11];
    m.checks_24h = to_i64(r[1]);
    m.up_24h = to_i64(r[2]);
    m.checks_7d = to_i64(r[3]);
    m.up_7d = to_i64(r[4]);
    m.last_at_us = to_i64(r[5]);
    m.last_success = r[6] == "1";
    if (!r[7].empty()) m.last_status = static_cast<int>(to_i64(r[7]));
    m.last_total_ms = to_double(r[8], 0);
    if (!m.last_success) m.last_reason = failure_reason(r[9], r[10], r[7]);
    m.buckets.resize(status_summary::bucket_count);
    index[{m.datacenter, m.name}] = out.monitors.size();
    out.monitors.push_back(std::move(m));
  }

  rows.clear();
  const std::int64_t from_s = out.buckets_from_us / us_per_s;
  const std::int64_t width_s = out.bucket_us / us_per_s;
  const std::string buckets_sql =
      "SELECT monitor_name, (" + d.epoch_s("scheduled_at") + " - " + std::to_string(from_s) +
      ") / " + std::to_string(width_s) + " AS b, count(*), sum(CASE WHEN success THEN 0 ELSE 1 " +
      "END), avg(CASE WHEN success THEN total_ms END), avg(CASE WHEN NOT success AND total_ms > "
      "0 THEN total_ms END), datacenter FROM heartbeats WHERE scheduled_at >= " +
      d.at(out.buckets_from_us) + " GROUP BY datacenter, monitor_name, b";
  if (!db.query_rows(buckets_sql, rows, out.error)) return out;
  for (const auto& r : rows) {
    auto m = index.find({r[6], r[0]});
    const std::int64_t b = to_i64(r[1]);
    if (m == index.end() || b < 0 || b >= status_summary::bucket_count) continue;
    auto& bucket = out.monitors[m->second].buckets[static_cast<std::size_t>(b)];
    bucket.checks = static_cast<int>(to_i64(r[2]));
    bucket.failures = static_cast<int>(to_i64(r[3]));
    bucket.avg_ms = to_double(r[4], -1);
    bucket.failed_avg_ms = to_double(r[5], -1);
  }

  rows.clear();
  // A run's rows share the count of successes before them (`grp`); the success that ends it is
  // the monitor's next row in its datacenter, found through the unique index. A run is ongoing when it holds the
  // monitor's newest row. The table shows Started and Ended, so it is sorted by them: the ongoing
  // runs first (never crowded out by newer, ended ones), then by start, newest first.
  const std::string incidents_sql =
      "WITH r AS (SELECT datacenter, monitor_name, scheduled_at, success, sum(" + std::string(ok) +
      ") OVER (PARTITION BY datacenter, monitor_name ORDER BY scheduled_at) AS grp, "
      "max(scheduled_at) OVER (PARTITION BY datacenter, monitor_name) AS newest FROM heartbeats "
      "WHERE scheduled_at >= " +
      d.at(week) +
      "), f AS (SELECT datacenter, monitor_name, min(scheduled_at) AS first_at, max(scheduled_at) "
      "AS last_at, count(*) AS n, CASE WHEN max(scheduled_at) = max(newest) THEN 1 ELSE 0 END AS "
      "ongoing FROM r WHERE NOT success GROUP BY datacenter, monitor_name, grp ORDER BY ongoing "
      "DESC, first_at DESC, monitor_name, datacenter LIMIT 10), g AS (SELECT f.*, (SELECT "
      "min(e.scheduled_at) FROM heartbeats e WHERE e.datacenter = f.datacenter AND "
      "e.monitor_name = f.monitor_name AND e.scheduled_at > f.last_at) AS end_at FROM f) SELECT "
      "g.monitor_name, " +
      d.epoch_us("g.first_at") + ", " + d.epoch_us("g.end_at") +
      ", g.n, h.error, h.failed_conditions, h.status_code, g.datacenter FROM g JOIN heartbeats h "
      "ON h.datacenter = g.datacenter AND h.monitor_name = g.monitor_name AND h.scheduled_at = "
      "g.last_at ORDER BY g.ongoing DESC, g.first_at DESC, g.monitor_name, g.datacenter";
  if (!db.query_rows(incidents_sql, rows, out.error)) return out;
  for (const auto& r : rows) {
    status_incident i;
    i.monitor = r[0];
    i.datacenter = r[7];
    i.started_us = to_i64(r[1]);
    i.ended_us = to_i64(r[2]);
    i.failures = static_cast<int>(to_i64(r[3]));
    i.reason = failure_reason(r[4], r[5], r[6]);
    out.incidents.push_back(std::move(i));
  }
  return out;
}

}  // namespace rb::store
