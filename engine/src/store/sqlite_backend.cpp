// The embedded store: one SQLite file in WAL mode (readers never block the writer), one
// transaction per batch, synchronous=FULL so that a committed batch survives a power cut as the
// spool does. SQLITE_BUSY waits up to the store's timeout (busy_timeout), then the batch is
// spooled. Not fenced: the HA tables live in PostgreSQL.
#include <sqlite3.h>

#include "core/clock.h"
#include "store/backend.h"
#include "store/schema.h"

namespace rb::store {

namespace {

struct db_closer {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct stmt_finalizer {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using db_ptr = std::unique_ptr<sqlite3, db_closer>;
using stmt_ptr = std::unique_ptr<sqlite3_stmt, stmt_finalizer>;

constexpr const char* insert_sql =
    "INSERT INTO heartbeats (monitor_id, monitor_name, worker_id, datacenter, region, "
    "scheduled_at, started_at, success, status_code, dns_ms, connect_ms, tls_ms, ttfb_ms, "
    "transfer_ms, total_ms, response_bytes, cert_expires_at, failed_conditions, error, ha_epoch) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
    "?20) ON CONFLICT (datacenter, monitor_name, scheduled_at) DO NOTHING";

// A unique index of heartbeats on exactly (monitor_name, scheduled_at): the key before locations.
constexpr const char* old_key_sql =
    "SELECT count(*) FROM pragma_index_list('heartbeats') il WHERE il.\"unique\" AND (SELECT "
    "group_concat(name, ',') FROM (SELECT name FROM pragma_index_info(il.name) ORDER BY seqno)) "
    "= 'monitor_name,scheduled_at'";

// Rebuilds a table made before locations in one transaction (SQLite cannot change a table's
// constraints in place): every row is copied, a NULL datacenter becoming ''. BEGIN IMMEDIATE
// serialises processes opening the same file; the check is repeated inside it.
bool upgrade(sqlite3* db, std::string& error) {
  auto exec = [&](const std::string& sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) == SQLITE_OK) return true;
    error = msg ? msg : sqlite3_errmsg(db);
    sqlite3_free(msg);
    return false;
  };
  auto old_key = [&](bool& found) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, old_key_sql, -1, &raw, nullptr) != SQLITE_OK) {
      error = sqlite3_errmsg(db);
      return false;
    }
    stmt_ptr q(raw);
    if (sqlite3_step(raw) != SQLITE_ROW) {
      error = sqlite3_errmsg(db);
      return false;
    }
    found = sqlite3_column_int(raw, 0) > 0;
    return true;
  };
  bool found = false;
  if (!old_key(found)) return false;
  if (!found) return true;
  if (!exec("BEGIN IMMEDIATE")) return false;
  if (!old_key(found)) {
    exec("ROLLBACK");
    return false;
  }
  if (found) {
    std::string create(sqlite_ddl);
    create = create.substr(0, create.find(";\n"));  // the table, not its index
    create.replace(create.find("IF NOT EXISTS heartbeats"), 24, "heartbeats_new");
    const std::string cols =
        "monitor_id, monitor_name, worker_id, region, scheduled_at, started_at, success, "
        "status_code, dns_ms, connect_ms, tls_ms, ttfb_ms, transfer_ms, total_ms, response_bytes, "
        "cert_expires_at, failed_conditions, error, ha_epoch";
    if (!exec("DROP TABLE IF EXISTS heartbeats_new; " + create + "; INSERT INTO heartbeats_new (" +
              cols + ", datacenter) SELECT " + cols +
              ", coalesce(datacenter, '') FROM heartbeats ORDER BY rowid; DROP TABLE heartbeats; "
              "ALTER TABLE heartbeats_new RENAME TO heartbeats; " +
              sqlite_ddl)) {
      const std::string why = error;
      exec("ROLLBACK");
      error = "cannot upgrade the heartbeats table: " + why;
      return false;
    }
  }
  return exec("COMMIT");
}

// Codes that mean "this row", not "this database".
bool data_error(int rc) {
  rc &= 0xff;
  return rc == SQLITE_CONSTRAINT || rc == SQLITE_TOOBIG || rc == SQLITE_MISMATCH ||
         rc == SQLITE_RANGE;
}

void bind_text(sqlite3_stmt* s, int i, const std::string& v, bool empty_is_null) {
  if (empty_is_null && v.empty())
    sqlite3_bind_null(s, i);
  else
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

class sqlite_backend final : public backend {
 public:
  sqlite_backend(std::string path, const store_options& o)
      : path_(std::move(path)), timeout_ms_(static_cast<int>(o.timeout.count())) {}

  bool connect(std::string& error) override {
    db_.reset();
    insert_.reset();
    sqlite3* raw = nullptr;
    const int rc =
        sqlite3_open_v2(path_.c_str(), &raw,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    db_ptr db(raw);  // the handle is returned even when opening fails
    if (rc != SQLITE_OK) {
      error = "cannot open " + path_ + ": " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
      return false;
    }
    sqlite3_busy_timeout(db.get(), timeout_ms_);
    const std::string setup =
        std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; ") + sqlite_ddl;
    char* msg = nullptr;
    if (sqlite3_exec(db.get(), setup.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
      error = std::string("cannot prepare ") + path_ + ": " + (msg ? msg : "unknown error");
      sqlite3_free(msg);
      return false;
    }
    if (!upgrade(db.get(), error)) {
      error = path_ + ": " + error;
      return false;
    }
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v3(db.get(), insert_sql, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) !=
        SQLITE_OK) {
      error = std::string("cannot prepare the insert: ") + sqlite3_errmsg(db.get());
      return false;
    }
    insert_.reset(st);
    db_ = std::move(db);
    return true;
  }

  bool connected() const override { return db_ != nullptr; }

  write_result write(const std::vector<heartbeat>& batch) override {
    write_result r;
    int rc = exec("BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) return fail(r, rc);
    sqlite3_stmt* s = insert_.get();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const heartbeat& hb = batch[i];
      sqlite3_reset(s);
      sqlite3_clear_bindings(s);
      if (hb.monitor_id) sqlite3_bind_int64(s, 1, *hb.monitor_id);
      bind_text(s, 2, hb.monitor_name, false);
      bind_text(s, 3, hb.worker_id, false);
      bind_text(s, 4, hb.datacenter, false);
      bind_text(s, 5, hb.region, true);
      bind_text(s, 6, utc_iso_ms(hb.scheduled_at_us), false);
      bind_text(s, 7, utc_iso_ms(hb.started_at_us), false);
      sqlite3_bind_int(s, 8, hb.success ? 1 : 0);
      if (hb.status_code) sqlite3_bind_int(s, 9, *hb.status_code);
      sqlite3_bind_double(s, 10, hb.dns_ms);
      sqlite3_bind_double(s, 11, hb.connect_ms);
      sqlite3_bind_double(s, 12, hb.tls_ms);
      sqlite3_bind_double(s, 13, hb.ttfb_ms);
      sqlite3_bind_double(s, 14, hb.transfer_ms);
      sqlite3_bind_double(s, 15, hb.total_ms);
      sqlite3_bind_int64(s, 16, hb.response_bytes);
      if (hb.cert_expires_at) bind_text(s, 17, utc_iso_ms(*hb.cert_expires_at * 1000000), false);
      bind_text(s, 18, hb.failed_conditions.empty() ? "[]" : hb.failed_conditions, false);
      bind_text(s, 19, hb.error, true);
      if (hb.ha_epoch) sqlite3_bind_int64(s, 20, *hb.ha_epoch);
      rc = sqlite3_step(s);
      if (rc != SQLITE_DONE) {
        sqlite3_reset(s);
        exec("ROLLBACK");
        return fail(r, rc);
      }
      if (sqlite3_changes(db_.get()) > 0)
        r.inserted.push_back(i);
      else
        ++r.duplicates;
    }
    sqlite3_reset(s);
    rc = exec("COMMIT");
    if (rc != SQLITE_OK) {
      exec("ROLLBACK");
      r.inserted.clear();
      r.duplicates = 0;
      return fail(r, rc);
    }
    r.ok = true;
    return r;
  }

  std::int64_t purge(std::int64_t cutoff_us, std::string& error) override {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), "DELETE FROM heartbeats WHERE scheduled_at < ?1", -1, &raw,
                           nullptr) != SQLITE_OK) {
      error = sqlite3_errmsg(db_.get());
      return -1;
    }
    stmt_ptr del(raw);
    bind_text(raw, 1, utc_iso_ms(cutoff_us), false);
    if (sqlite3_step(raw) != SQLITE_DONE) {
      error = sqlite3_errmsg(db_.get());
      return -1;
    }
    return sqlite3_changes(db_.get());
  }

  bool read_streaks(std::int64_t since_us, const std::string& datacenter,
                    failure_streaks& out) override {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), streaks_sql(false).c_str(), -1, &raw, nullptr) != SQLITE_OK) {
      out.error = sqlite3_errmsg(db_.get());
      return false;
    }
    stmt_ptr q(raw);
    bind_text(raw, 1, utc_iso_ms(since_us), false);
    bind_text(raw, 2, datacenter, false);
    int rc;
    while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
      const auto* name = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
      out.failures[name ? name : ""] = sqlite3_column_int(raw, 1);
    }
    if (rc != SQLITE_DONE) {
      out.error = sqlite3_errmsg(db_.get());
      out.failures.clear();
      return false;
    }
    return true;
  }

  bool query_rows(const std::string& sql, std::vector<std::vector<std::string>>& rows,
                  std::string& error) override {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
      error = sqlite3_errmsg(db_.get());
      return false;
    }
    stmt_ptr q(raw);
    const int n = sqlite3_column_count(raw);
    int rc;
    while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
      auto& row = rows.emplace_back();
      for (int i = 0; i < n; ++i) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, i));
        row.emplace_back(text ? text : "");
      }
    }
    if (rc != SQLITE_DONE) {
      error = sqlite3_errmsg(db_.get());
      rows.clear();
      return false;
    }
    return true;
  }

  bool postgres() const override { return false; }
  std::string describe() const override { return "sqlite:" + path_; }

 private:
  int exec(const char* sql) { return sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr); }

  write_result& fail(write_result& r, int rc) {
    r.ok = false;
    r.data = data_error(rc);
    r.error = std::string(sqlite3_errmsg(db_.get())) + " (" + sqlite3_errstr(rc) + ")";
    if (!r.data) {
      insert_.reset();  // a fresh handle next time (the file may have been replaced)
      db_.reset();
    }
    return r;
  }

  std::string path_;
  int timeout_ms_;
  db_ptr db_;
  stmt_ptr insert_;
};

}  // namespace

std::unique_ptr<backend> make_sqlite_backend(const std::string& path, const store_options& o) {
  return std::make_unique<sqlite_backend>(path, o);
}

}  // namespace rb::store
