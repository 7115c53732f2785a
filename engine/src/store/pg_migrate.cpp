// Brings a heartbeats table made before locations (datacenter nullable, UNIQUE (monitor_name,
// scheduled_at)) to today's shape without a long exclusive lock: NULL datacenter -> '' in
// batches, NOT NULL through a validated CHECK (PostgreSQL 12+ then skips the scan), the new
// unique index built concurrently, then one short ALTER swaps the constraints. Every step is
// idempotent and read from the catalogs, so an interrupted run is finished by the next one.
#include "store/pg_migrate.h"

#include <thread>

#include "ha/lock_id.h"
#include "ha/pg_conn.h"
#include "store/log.h"
#include "store/schema.h"

namespace rb::store {

namespace {

using ha::mono;
using ha::query_outcome;

constexpr const char* new_key = "heartbeats_datacenter_monitor_name_scheduled_at_key";
// The long steps have no server-side bound; this only stops a worker waiting on a dead link.
constexpr std::chrono::hours long_step{24};

// Columns of a constraint, in order, as text[].
constexpr const char* cols_of =
    "(SELECT array_agg(a.attname::text ORDER BY k.i) FROM unnest(c.conkey) WITH ORDINALITY "
    "k(n, i) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n)";

struct table_state {
  bool exists = false;
  bool not_null = false;    // datacenter NOT NULL
  std::string old_keys;     // quoted names of UNIQUE (monitor_name, scheduled_at), ", "-joined
  bool new_key_ok = false;  // UNIQUE (datacenter, monitor_name, scheduled_at) is a constraint
  std::string index_valid;  // the new key's index: "" none, "t" valid, "f" invalid leftover
  bool current() const { return exists && not_null && old_keys.empty() && new_key_ok; }
};

bool read_state(ha::pg_connection& c, mono::time_point deadline, table_state& s,
                std::string& error) {
  const std::string t = "to_regclass('heartbeats')";
  const std::string sql =
      "SELECT " + t +
      " IS NOT NULL, coalesce((SELECT attnotnull FROM pg_attribute WHERE attrelid = " + t +
      " AND attname = 'datacenter' AND NOT attisdropped), false), coalesce((SELECT "
      "string_agg(quote_ident(conname), ', ') FROM pg_constraint c WHERE c.conrelid = " +
      t + " AND c.contype = 'u' AND " + cols_of +
      " = ARRAY['monitor_name', 'scheduled_at']), ''), "
      "EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = " +
      t + " AND c.contype = 'u' AND " + cols_of +
      " = ARRAY['datacenter', 'monitor_name', 'scheduled_at']), coalesce((SELECT "
      "i.indisvalid::text FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE "
      "i.indrelid = " +
      t + " AND ic.relname = '" + new_key + "'), '')";
  auto q = c.query(sql, {}, deadline);
  if (!q.ok() || q.rows.empty()) {
    error = q.error.empty() ? "no answer" : q.error;
    return false;
  }
  const auto& r = q.rows[0];
  s.exists = r[0] == "t";
  s.not_null = r[1] == "t";
  s.old_keys = r[2];
  s.new_key_ok = r[3] == "t";
  s.index_valid = r[4] == "true" ? "t" : r[4] == "false" ? "f" : r[4];
  return true;
}

class migration {
 public:
  migration(ha::pg_connection& c, std::chrono::milliseconds timeout) : c_(c), timeout_(timeout) {}

  // Runs a statement without a server-side bound (the long steps).
  bool run_long(const std::string& sql, query_outcome* out = nullptr) {
    if (!set("SET statement_timeout = 0; SET lock_timeout = 0")) return false;
    auto q = c_.query(sql, {}, mono::now() + long_step);
    if (out) *out = q;
    return check(q, sql);
  }

  // A statement that takes an ACCESS EXCLUSIVE lock for a moment: it waits at most `timeout` for
  // the lock (never queueing writers behind it for long), and tries again a few times.
  bool run_short(const std::string& sql) {
    const std::string ms = std::to_string(timeout_.count());
    if (!set("SET statement_timeout = " + ms + "; SET lock_timeout = " + ms)) return false;
    for (int attempt = 1;; ++attempt) {
      auto q = c_.query(sql, {}, mono::now() + 2 * timeout_);
      if (q.ok()) return true;
      c_.query("ROLLBACK", {}, mono::now() + timeout_);  // a BEGIN ... that failed half-way
      if (q.status != query_outcome::kind::error || q.sqlstate != "55P03" || attempt == 20)
        return check(q, sql);
      store_log().info("Heartbeats upgrade: the table is busy, trying again: {}", sql);
      std::this_thread::sleep_for(timeout_ / 5);
    }
  }

  // NULL datacenter -> '' in slices of 10,000 rows, in scheduled_at order (the index on it), each
  // its own transaction: row locks only, and a crash keeps what was done.
  bool backfill() {
    std::string cursor = "-infinity";
    std::int64_t total = 0;
    for (;;) {
      if (!set("SET statement_timeout = 0; SET lock_timeout = 0")) return false;
      auto q = c_.query(
          "WITH u AS (UPDATE heartbeats SET datacenter = '' WHERE ctid = ANY (ARRAY(SELECT ctid "
          "FROM heartbeats WHERE datacenter IS NULL AND scheduled_at >= $1::timestamptz ORDER BY "
          "scheduled_at LIMIT 10000)) RETURNING scheduled_at) SELECT count(*), max(scheduled_at) "
          "FROM u",
          {cursor}, mono::now() + long_step);
      if (!check(q, "the datacenter backfill") || q.rows.empty()) return false;
      const std::int64_t n = std::stoll(q.rows[0][0]);
      total += n;
      if (n < 10000) break;
      cursor = q.rows[0][1];
    }
    // Rows an older worker wrote behind the cursor meanwhile.
    query_outcome rest;
    if (!run_long("UPDATE heartbeats SET datacenter = '' WHERE datacenter IS NULL", &rest))
      return false;
    store_log().info("Heartbeats upgrade: {} row(s) without a datacenter now have ''", total);
    return true;
  }

  std::string error;

 private:
  bool set(const std::string& sql) { return check(c_.query(sql, {}, mono::now() + timeout_), sql); }
  bool check(const query_outcome& q, const std::string& what) {
    if (q.ok()) return true;
    error = what + ": " + (q.error.empty() ? "no answer" : q.error);
    return false;
  }

  ha::pg_connection& c_;
  std::chrono::milliseconds timeout_;
};

std::string upgrade(ha::pg_connection& c, std::chrono::milliseconds timeout) {
  table_state s;
  std::string error;
  if (!read_state(c, mono::now() + timeout, s, error)) return error;
  if (s.current()) return {};  // another worker did it while this one waited
  migration m(c, timeout);
  if (!s.exists) {
    return m.run_short(std::string("BEGIN; ") + postgres_ddl + " COMMIT;") ? "" : m.error;
  }
  store_log().warn(
      "Heartbeats upgrade: bringing the table to (datacenter, monitor_name, scheduled_at) keys; "
      "other workers wait (docs/monitoring.md, Upgrading)");
  const auto began = mono::now();
  if (!s.not_null) {
    if (!m.backfill()) return m.error;
    if (!m.run_short("ALTER TABLE heartbeats ALTER COLUMN datacenter SET DEFAULT '', DROP "
                     "CONSTRAINT IF EXISTS heartbeats_datacenter_not_null, ADD CONSTRAINT "
                     "heartbeats_datacenter_not_null CHECK (datacenter IS NOT NULL) NOT VALID"))
      return m.error;
    // A scan, but under SHARE UPDATE EXCLUSIVE: writes go on.
    if (!m.run_long("ALTER TABLE heartbeats VALIDATE CONSTRAINT heartbeats_datacenter_not_null"))
      return m.error;
    // The validated CHECK proves it: no scan under the exclusive lock.
    if (!m.run_short("BEGIN; ALTER TABLE heartbeats ALTER COLUMN datacenter SET NOT NULL; ALTER "
                     "TABLE heartbeats DROP CONSTRAINT heartbeats_datacenter_not_null; COMMIT;"))
      return m.error;
  }
  if (!s.new_key_ok) {
    // A concurrent build that was interrupted leaves an INVALID index behind: build it again.
    if (s.index_valid == "f" &&
        !m.run_long(std::string("DROP INDEX CONCURRENTLY IF EXISTS ") + new_key))
      return m.error;
    if (s.index_valid != "t" &&
        !m.run_long(std::string("CREATE UNIQUE INDEX CONCURRENTLY ") + new_key +
                    " ON heartbeats (datacenter, monitor_name, scheduled_at)"))
      return m.error;
  }
  // One short ALTER: the old key goes, the new one takes the ready index.
  std::string swap;
  if (!s.old_keys.empty()) {
    std::string keys = s.old_keys;
    for (std::size_t at = 0; at != std::string::npos;) {
      const auto comma = keys.find(", ", at);
      const std::string name = keys.substr(at, comma == std::string::npos ? comma : comma - at);
      swap += (swap.empty() ? "" : ", ") + std::string("DROP CONSTRAINT ") + name;
      at = comma == std::string::npos ? comma : comma + 2;
    }
  }
  if (!s.new_key_ok)
    swap += (swap.empty() ? "" : ", ") + std::string("ADD CONSTRAINT ") + new_key +
            " UNIQUE USING INDEX " + new_key;
  if (!swap.empty() && !m.run_short("ALTER TABLE heartbeats " + swap)) return m.error;
  if (!read_state(c, mono::now() + timeout, s, error)) return error;
  if (!s.current()) return "the heartbeats table is still not in today's shape after the upgrade";
  store_log().warn("Heartbeats upgrade: done in {:.1f} s",
                   std::chrono::duration<double>(mono::now() - began).count());
  return {};
}

}  // namespace

std::int64_t schema_lock_key() { return ha::lock_id("rulebook-heartbeats-schema"); }

std::string prepare_postgres_table(ha::pg_connection& c, std::chrono::milliseconds timeout) {
  // Cheap check first: no lock at all when the table is already right.
  table_state s;
  std::string error;
  if (!read_state(c, mono::now() + timeout, s, error)) return "cannot read the catalogs: " + error;
  if (s.current()) return {};
  const std::string key = std::to_string(schema_lock_key());
  bool logged = false;
  for (;;) {
    auto q = c.query("SELECT pg_try_advisory_lock(" + key + ")", {}, mono::now() + timeout);
    if (!q.ok() || q.rows.empty()) return "cannot take the schema lock: " + q.error;
    if (q.rows[0][0] == "t") break;
    if (!logged)
      store_log().info(
          "Heartbeat store: another worker is setting up the heartbeats table; "
          "waiting for it");
    logged = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  error = upgrade(c, timeout);
  c.query("SELECT pg_advisory_unlock(" + key + "); RESET statement_timeout; RESET lock_timeout", {},
          mono::now() + timeout);
  return error.empty() ? "" : "cannot set up the heartbeats table: " + error;
}

}  // namespace rb::store
