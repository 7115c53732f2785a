// The PostgreSQL store: one connection of its own (keepalives, tcp_user_timeout, server-side
// statement, lock and idle-in-transaction timeouts, and a client deadline on every wait), and per
// batch one transaction: COPY into a temporary table, then one INSERT ... SELECT that applies the
// HA fence and skips rows the unique key already has.
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <type_traits>

#include "core/clock.h"
#include "ha/pg_conn.h"
#include "ha/schema.h"
#include "ha/settings.h"
#include "store/backend.h"
#include "store/pg_migrate.h"
#include "store/schema.h"

namespace rb::store {

namespace {

using ha::mono;
using ha::query_outcome;

constexpr const char* columns =
    "monitor_id, monitor_name, worker_id, datacenter, region, scheduled_at, started_at, success, "
    "status_code, dns_ms, connect_ms, tls_ms, ttfb_ms, transfer_ms, total_ms, response_bytes, "
    "cert_expires_at, failed_conditions, error, ha_epoch";

// One line of COPY text format: fields separated by tabs, \N for null, backslash escapes.
class copy_line {
 public:
  explicit copy_line(std::string& out) : out_(out) {}
  ~copy_line() { out_ += '\n'; }

  copy_line& null() {
    sep();
    out_ += "\\N";
    return *this;
  }
  copy_line& text(std::string_view v) {
    sep();
    for (char c : v) {
      switch (c) {
        case '\\':
          out_ += "\\\\";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        case '\0':
          break;  // PostgreSQL text cannot hold a NUL byte
        default:
          out_ += c;
      }
    }
    return *this;
  }
  // "" is null (datacenter, region, error).
  copy_line& text_or_null(const std::string& v) { return v.empty() ? null() : text(v); }
  template <class T>
  copy_line& number(T v) {
    sep();
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(v)) return raw("NaN");
      if (std::isinf(v)) return raw(v > 0 ? "Infinity" : "-Infinity");
    }
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
    return *this;
  }
  template <class T>
  copy_line& number(const std::optional<T>& v) {
    return v ? number(*v) : null();
  }
  copy_line& time(std::int64_t us) {
    sep();
    out_ += utc_stamp(us < 0 ? 0 : us).view();
    return *this;
  }
  copy_line& boolean(bool v) {
    sep();
    out_ += v ? 't' : 'f';
    return *this;
  }

 private:
  void sep() {
    if (!first_) out_ += '\t';
    first_ = false;
  }
  copy_line& raw(const char* v) {
    out_ += v;
    return *this;
  }
  std::string& out_;
  bool first_ = true;
};

// One staged row: the batch index (seq), then the table's columns in `columns` order.
void put_row(std::string& out, std::size_t seq, const heartbeat& hb) {
  copy_line line(out);
  line.number(seq).number(hb.monitor_id).text(hb.monitor_name).text(hb.worker_id);
  line.text(hb.datacenter).text_or_null(hb.region);
  line.time(hb.scheduled_at_us).time(hb.started_at_us).boolean(hb.success);
  line.number(hb.status_code);
  for (double ms : {hb.dns_ms, hb.connect_ms, hb.tls_ms, hb.ttfb_ms, hb.transfer_ms, hb.total_ms})
    line.number(ms);
  line.number(hb.response_bytes);
  if (hb.cert_expires_at)
    line.time(*hb.cert_expires_at * 1000000);
  else
    line.null();
  // jsonb refuses text that is not JSON: such a list is kept as a JSON string.
  if (hb.failed_conditions.empty())
    line.text("[]");
  else if (nlohmann::json::accept(hb.failed_conditions))
    line.text(hb.failed_conditions);
  else
    line.text(nlohmann::json(hb.failed_conditions)
                  .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  line.text_or_null(hb.error).number(hb.ha_epoch);
}

class pg_backend final : public backend {
 public:
  pg_backend(std::string dsn, const store_options& o)
      : dsn_(std::move(dsn)), ha_uuid_(o.ha_uuid), worker_id_(o.worker_id), timeout_(o.timeout) {
    insert_sql_ = build_insert();
  }

  bool connect(std::string& error) override {
    conn_.reset();
    ha::settings s;
    s.worker_id = worker_id_.empty() ? "store" : worker_id_;
    ha::timings t = ha::derive_timings(s);
    t.connect_timeout = timeout_;
    t.tcp_user_timeout = timeout_;
    const auto ms = std::to_string(timeout_.count());
    const std::string options =
        "-c statement_timeout=" + ms + " -c lock_timeout=" + ms +
        " -c idle_in_transaction_session_timeout=" + std::to_string(2 * timeout_.count());
    auto c = ha::pg_connection::connect(dsn_, ha::connection_keywords(s, t, "heartbeats", options),
                                        deadline(), -1, error);
    if (!c) return false;
    // The table: created, or upgraded in place, once, under an advisory lock (workers starting
    // together wait for the first one).
    error = prepare_postgres_table(*c, timeout_);
    if (!error.empty()) return false;
    if (!ha_uuid_.empty()) {
      error = ha::ensure_schema(*c, deadline());
      if (!error.empty()) return false;
    }
    auto stage = c->query(
        "CREATE TEMP TABLE hb_stage (seq integer NOT NULL, LIKE heartbeats) ON COMMIT DELETE ROWS",
        {}, deadline());
    if (!stage.ok()) return failed(stage, error);
    conn_ = std::move(c);
    return true;
  }

  bool connected() const override { return conn_ && conn_->healthy(); }

  write_result write(const std::vector<heartbeat>& batch) override {
    write_result r;
    std::string data;
    data.reserve(batch.size() * 256);
    for (std::size_t i = 0; i < batch.size(); ++i) put_row(data, i, batch[i]);
    auto q = conn_->query("BEGIN", {}, deadline());
    if (!q.ok()) return fail(r, q);
    q = conn_->copy_in(std::string("COPY hb_stage (seq, ") + columns + ") FROM STDIN", data,
                       deadline());
    if (!q.ok()) return fail(r, q);
    q = conn_->query(
        insert_sql_,
        ha_uuid_.empty() ? std::vector<std::string>{} : std::vector<std::string>{ha_uuid_},
        deadline());
    if (!q.ok() || q.rows.empty()) return fail(r, q);
    const std::uint64_t accepted = std::stoull(q.rows[0][0]);
    const std::string& seqs = q.rows[0][1];
    for (std::size_t at = 0; at < seqs.size();) {
      std::size_t seq = 0;
      auto p = std::from_chars(seqs.data() + at, seqs.data() + seqs.size(), seq);
      r.inserted.push_back(seq);
      at = static_cast<std::size_t>(p.ptr - seqs.data()) + 1;
    }
    q = conn_->query("COMMIT", {}, deadline());
    if (!q.ok()) {
      r.inserted.clear();
      return fail(r, q);
    }
    r.ok = true;
    r.rejected = batch.size() - accepted;
    r.duplicates = accepted - r.inserted.size();
    return r;
  }

  std::int64_t purge(std::int64_t cutoff_us, std::string& error) override {
    // In slices, so that each statement stays well inside statement_timeout.
    const auto stamp = utc_stamp(cutoff_us < 0 ? 0 : cutoff_us);
    const std::string cutoff(stamp.view());
    std::int64_t total = 0;
    for (;;) {
      auto q = conn_->query(
          "WITH d AS (DELETE FROM heartbeats WHERE ctid = ANY (ARRAY(SELECT ctid FROM heartbeats "
          "WHERE scheduled_at < $1::timestamptz LIMIT 10000)) RETURNING 1) SELECT count(*) FROM d",
          {cutoff}, deadline());
      if (!q.ok() || q.rows.empty()) {
        error = failure(q);
        return -1;
      }
      const std::int64_t n = std::stoll(q.rows[0][0]);
      total += n;
      if (n < 10000) return total;
    }
  }

  bool read_streaks(std::int64_t since_us, const std::string& datacenter,
                    failure_streaks& out) override {
    const auto stamp = utc_stamp(since_us < 0 ? 0 : since_us);
    auto q = conn_->query(streaks_sql(true), {std::string(stamp.view()), datacenter}, deadline());
    if (!q.ok()) {
      out.error = failure(q);
      return false;
    }
    for (const auto& row : q.rows) out.failures[row[0]] = std::stoi(row[1]);
    return true;
  }

  bool query_rows(const std::string& sql, std::vector<std::vector<std::string>>& rows,
                  std::string& error) override {
    auto q = conn_->query(sql, {}, deadline());
    if (!q.ok()) {
      error = failure(q);
      return false;
    }
    rows = std::move(q.rows);
    return true;
  }

  bool postgres() const override { return true; }
  std::string describe() const override { return "postgresql " + ha::describe_dsn(dsn_); }

 private:
  mono::time_point deadline() const { return mono::now() + timeout_; }

  static bool failed(const query_outcome& q, std::string& error) {
    error = q.error.empty() ? "no answer" : q.error;
    return false;
  }

  // A value the server refuses (class 22: data exception) is the rows' fault: the transaction is
  // rolled back and the connection kept. Anything else drops the connection.
  write_result& fail(write_result& r, const query_outcome& q) {
    r.ok = false;
    r.error = q.error.empty() ? "no answer from the server" : q.error;
    r.data = q.status == query_outcome::kind::error && q.sqlstate.rfind("22", 0) == 0;
    if (r.data && conn_->healthy() && conn_->query("ROLLBACK", {}, deadline()).ok()) return r;
    r.data = false;
    conn_.reset();
    return r;
  }

  // fail() for a statement outside a batch: its message.
  std::string failure(const query_outcome& q) {
    write_result r;
    return fail(r, q).error;
  }

  std::string build_insert() const {
    // `ok`: the staged rows the fence lets through: their check started in a term of their
    // worker, and before any later term of another worker began (later terms of the same worker
    // mean nobody else led meanwhile: an observe-only check bridging them is kept). FOR SHARE on
    // the leader row: no new term can begin while this transaction runs, so the terms read here
    // stay the last word until commit.
    std::string ok = "ok AS MATERIALIZED (SELECT * FROM hb_stage)";
    std::string fence;
    if (!ha_uuid_.empty()) {
      fence = "fence AS (SELECT 1 FROM rulebook_ha_leader WHERE ha_uuid = $1 FOR SHARE), ";
      ok = "ok AS MATERIALIZED (SELECT st.* FROM hb_stage st WHERE EXISTS (SELECT 1 FROM fence) "
           "AND st.ha_epoch IS NOT NULL "
           "AND EXISTS (SELECT 1 FROM rulebook_ha_terms t WHERE t.ha_uuid = $1 AND "
           "t.epoch = st.ha_epoch AND t.worker_id = st.worker_id) "
           "AND NOT EXISTS (SELECT 1 FROM rulebook_ha_terms n WHERE n.ha_uuid = $1 AND "
           "n.epoch > st.ha_epoch AND n.began_at <= st.started_at AND "
           "n.worker_id <> st.worker_id))";
    }
    return "WITH " + fence + ok + ", ins AS (INSERT INTO heartbeats (" + columns + ") SELECT " +
           columns +
           " FROM ok ORDER BY seq ON CONFLICT (datacenter, monitor_name, scheduled_at) DO NOTHING "
           "RETURNING datacenter, monitor_name, scheduled_at) "
           "SELECT (SELECT count(*) FROM ok), (SELECT coalesce(string_agg(seq::text, ',' ORDER BY "
           "seq), '') FROM (SELECT min(ok.seq) AS seq FROM ok JOIN ins USING (datacenter, "
           "monitor_name, scheduled_at) GROUP BY ok.datacenter, ok.monitor_name, ok.scheduled_at) "
           "s)";
  }

  std::string dsn_;
  std::string ha_uuid_;
  std::string worker_id_;
  std::chrono::milliseconds timeout_;
  std::string insert_sql_;
  std::unique_ptr<ha::pg_connection> conn_;
};

}  // namespace

std::unique_ptr<backend> make_pg_backend(const std::string& dsn, const store_options& o) {
  return std::make_unique<pg_backend>(dsn, o);
}

}  // namespace rb::store
