#include "ha/elector.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>

#include "core/uuid.h"
#include "ha/lock_id.h"
#include "ha/log.h"
#include "ha/schema.h"

namespace rb::ha {

namespace {

std::string ms_text(std::chrono::milliseconds d) { return std::to_string(d.count()); }

std::string seconds_text(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", d.count() / 1000.0);
  return buf;
}

}  // namespace

elector::elector(settings s, callbacks cb)
    : settings_(std::move(s)),
      cb_(std::move(cb)),
      timings_(derive_timings(settings_)),
      lock_key_(lock_id(settings_.ha_uuid)),
      channel_(notify_channel(lock_key_)) {
  if (pipe2(stop_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) stop_pipe_[0] = stop_pipe_[1] = -1;
}

elector::~elector() {
  stop(false);
  if (stop_pipe_[0] >= 0) close(stop_pipe_[0]);
  if (stop_pipe_[1] >= 0) close(stop_pipe_[1]);
}

void elector::start() {
  thread_ = std::thread([this] { run(); });
}

void elector::stop(bool release) {
  if (!thread_.joinable()) return;
  release_on_stop_ = release;
  stopping_ = true;
  if (stop_pipe_[1] >= 0) {
    const char b = 1;
    [[maybe_unused]] auto n = write(stop_pipe_[1], &b, 1);
  }
  thread_.join();
}

bool elector::trusted_now() const noexcept {
  return mono::now().time_since_epoch().count() < trusted_until_.load(std::memory_order_acquire);
}

leadership_term elector::term() const {
  std::lock_guard<std::mutex> lock(term_mutex_);
  return term_;
}

bool elector::sleep_for(std::chrono::milliseconds d) {
  pollfd p{stop_pipe_[0], POLLIN, 0};
  while (!stopping_) {
    const int n = poll(&p, 1, static_cast<int>(d.count()));
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  return !stopping_;
}

void elector::fatal(const std::string& error) {
  ha_log().error("Worker {}: {}", settings_.worker_id, error);
  failed_ = true;
  trusted_until_.store(0, std::memory_order_release);
  if (cb_.on_fatal) cb_.on_fatal(error);
}

std::unique_ptr<pg_connection> elector::open_session(std::string& error) {
  const std::string server_idle =
      ms_text(settings_.wait == wait_mode::poll ? timings_.lock_wait + timings_.server_timeout
                                                : timings_.server_timeout);
  // Session settings travel in the startup packet.
  const std::string options =
      "-c idle_session_timeout=" + server_idle +
      " -c idle_in_transaction_session_timeout=" + ms_text(timings_.server_timeout) +
      " -c lock_timeout=" + ms_text(timings_.lock_wait) +
      " -c statement_timeout=" + ms_text(timings_.lock_wait + timings_.lease) +
      " -c tcp_user_timeout=" + ms_text(timings_.tcp_user_timeout);
  const auto extra = connection_keywords(settings_, timings_, "", options);
  auto c = pg_connection::connect(settings_.dsn, extra, mono::now() + timings_.connect_timeout,
                                  stop_pipe_[0], error);
  if (!c && error.find("unsupported startup parameter") != std::string::npos) {
    // A pooler (pgbouncer) refuses `options`: connect without them, so that prepare() can say
    // clearly what is wrong instead of this.
    auto without = extra;
    without.pop_back();
    c = pg_connection::connect(settings_.dsn, without, mono::now() + timings_.connect_timeout,
                               stop_pipe_[0], error);
  }
  return c;
}

// Checks the server and the path to it, creates the tables, registers the worker and listens.
// Returns an error that ends the group's hope on this server (fatal), or "" to go on; a broken
// connection returns "retry".
std::string elector::prepare(pg_connection& c) {
  const auto deadline = [&] { return mono::now() + timings_.lease; };
  if (c.server_version() < 140000)
    return "PostgreSQL " + std::to_string(c.server_version() / 10000) +
           " is too old for HA: version 14 or later is needed (idle_session_timeout drops a frozen "
           "leader's session)";
  auto r = c.query(
      "SELECT pg_is_in_recovery(), current_setting('transaction_read_only'), pg_backend_pid()", {},
      deadline(), stop_pipe_[0]);
  if (!r.ok() || r.rows.empty()) return r.status == query_outcome::kind::error ? r.error : "retry";
  if (r.rows[0][0] == "t" || r.rows[0][1] == "on")
    return "the PostgreSQL server is read-only (a standby?): HA needs a primary that accepts "
           "writes";
  session_pid_ = std::stoi(r.rows[0][2]);
  // The server announces its backend's pid when the connection starts; a pooler announces its
  // own. Which mode a pooler runs in cannot be read from a client, and in transaction mode a
  // session lock would belong to whichever client shares that backend next.
  if (session_pid_ != c.backend_pid())
    return "the connection to PostgreSQL goes through a pooler (pgbouncer?): the backend pid "
           "announced at connection (" +
           std::to_string(c.backend_pid()) + ") is not the session's (" +
           std::to_string(session_pid_) +
           "); advisory locks need a direct session: point --ha-postgres-dsn at PostgreSQL "
           "itself";
  // A proxy that passed the server's pid through but hands each transaction to any backend
  // would show here: session locks would then belong to nobody in particular.
  for (int i = 0; i < 3; ++i) {
    auto p = c.query("SELECT pg_backend_pid()", {}, deadline(), stop_pipe_[0]);
    if (!p.ok() || p.rows.empty()) return "retry";
    if (std::stoi(p.rows[0][0]) != session_pid_)
      return "the connection to PostgreSQL goes through a pooler in transaction mode (the "
             "backend changed between statements): advisory locks need a direct session: point "
             "--ha-postgres-dsn at PostgreSQL itself";
  }
  if (std::string e = ensure_schema(c, deadline()); !e.empty()) return c.healthy() ? e : "retry";
  auto w = c.query(
      "INSERT INTO rulebook_ha_workers (ha_uuid, worker_id, backend_pid, wait_mode) "
      "VALUES ($1, $2, pg_backend_pid(), $3) ON CONFLICT (ha_uuid, worker_id) DO UPDATE SET "
      "backend_pid = EXCLUDED.backend_pid, wait_mode = EXCLUDED.wait_mode, connected_at = now()",
      {settings_.ha_uuid, settings_.worker_id,
       settings_.wait == wait_mode::block ? "block" : "poll"},
      deadline(), stop_pipe_[0]);
  if (!w.ok()) return w.status == query_outcome::kind::error && c.healthy() ? w.error : "retry";
  auto dup = c.query(
      "SELECT count(*) FROM pg_stat_activity WHERE application_name = current_setting("
      "'application_name') AND pid <> pg_backend_pid()",
      {}, deadline(), stop_pipe_[0]);
  if (dup.ok() && !dup.rows.empty() && dup.rows[0][0] != "0")
    ha_log().warn(
        "Worker {}: another live session uses this worker id (another worker, or this one's "
        "previous session not ended yet); give every worker its own --ha-worker-id: logs, "
        "audit records and ha status tell workers apart by it",
        settings_.worker_id);
  auto l = c.query("LISTEN " + channel_, {}, deadline(), stop_pipe_[0]);
  if (!l.ok()) return "retry";
  return {};
}

// Waits for the lock; true once this session holds it. Each round first tries without waiting,
// so that a lock held elsewhere is known (note_holder) before a blocking wait begins.
bool elector::follow(pg_connection& c) {
  const std::string key = std::to_string(lock_key_);
  bool announced = false;
  while (!stopping_) {
    auto t = c.query("SELECT pg_try_advisory_lock($1)", {key}, mono::now() + timings_.lease,
                     stop_pipe_[0]);
    if (!t.ok() || t.rows.empty()) {
      if (!stopping_)
        ha_log().warn("Worker {}: trying for leadership failed: {}", settings_.worker_id, t.error);
      return false;
    }
    if (t.rows[0][0] == "t") return true;
    note_holder(c, announced);
    if (!waiting_logged_) {
      ha_log().info("Worker {}: Another instance is active. Waiting...", settings_.worker_id);
      waiting_logged_ = true;
    } else {
      ha_log().debug("Worker {}: Another instance is active. Waiting...", settings_.worker_id);
    }
    if (settings_.wait == wait_mode::block) {
      // lock_timeout bounds the server-side wait; the reply gets a lease more.
      auto r = c.query("SELECT pg_advisory_lock($1)", {key},
                       mono::now() + timings_.lock_wait + timings_.lease, stop_pipe_[0]);
      if (r.ok()) return true;
      if (r.status != query_outcome::kind::error || r.sqlstate != "55P03") {
        if (!stopping_)
          ha_log().warn("Worker {}: waiting for leadership failed: {}", settings_.worker_id,
                        r.error);
        return false;
      }
    } else {
      const auto until = mono::now() + timings_.lock_wait;
      while (!stopping_ && mono::now() < until) {
        const auto w = c.wait_input(until, stop_pipe_[0]);
        if (w == pg_connection::wait_result::broken) return false;
        if (w != pg_connection::wait_result::input) break;
        if (!c.take_notifications().empty()) break;  // a graceful release: try now
      }
    }
  }
  return false;
}

// With the lock held: makes the leader's session strict, bumps the epoch with a new token and
// checks the lock really belongs to this backend. `base` is when the bump was sent: the start of
// the first lease.
bool elector::take_term(pg_connection& c, mono::time_point& base) {
  auto s = c.query("SET idle_session_timeout = " + ms_text(timings_.server_timeout), {},
                   mono::now() + timings_.lease, stop_pipe_[0]);
  if (!s.ok()) return false;
  const std::string token = uuid4();
  for (int attempt = 0; attempt < 5 && !stopping_; ++attempt) {
    base = mono::now();
    // lock_timeout applies: a stale writer holding the fencing row (frozen mid-transaction) is
    // cut off by its own idle_in_transaction_session_timeout; meanwhile we retry. The term's
    // history row (rulebook_ha_terms) goes in the same statement, so the same transaction, as the
    // bump; its began_at is read once the leader row is locked, after any fenced heartbeat batch
    // holding that row FOR SHARE has committed.
    auto r = c.query(
        "WITH l AS (INSERT INTO rulebook_ha_leader AS l (ha_uuid, epoch, token, worker_id, "
        "backend_pid) VALUES ($1, 1, $2, $3, pg_backend_pid()) ON CONFLICT (ha_uuid) DO UPDATE SET "
        "epoch = l.epoch + 1, token = EXCLUDED.token, worker_id = EXCLUDED.worker_id, "
        "backend_pid = EXCLUDED.backend_pid, since = now(), released_at = NULL RETURNING epoch), "
        "t AS (INSERT INTO rulebook_ha_terms (ha_uuid, epoch, worker_id, began_at) "
        "SELECT $1, epoch, $3, clock_timestamp() FROM l ON CONFLICT (ha_uuid, epoch) DO UPDATE SET "
        "worker_id = EXCLUDED.worker_id, began_at = EXCLUDED.began_at) "
        "SELECT epoch, (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND "
        "pid = pg_backend_pid() AND classid = $4::oid AND objid = $5::oid AND objsubid = 1 "
        "AND granted), pg_backend_pid() FROM l",
        {settings_.ha_uuid, token, settings_.worker_id, lock_classid(lock_key_),
         lock_objid(lock_key_)},
        base + timings_.lease, stop_pipe_[0]);
    if (r.status == query_outcome::kind::error && r.sqlstate == "55P03") continue;
    if (!r.ok() || r.rows.empty()) {
      if (!stopping_)
        ha_log().warn("Worker {}: cannot start a term: {}", settings_.worker_id, r.error);
      return false;
    }
    if (r.rows[0][1] != "1" || std::stoi(r.rows[0][2]) != session_pid_) {
      fatal(
          "the advisory lock is not held by this session's backend: the connection goes "
          "through a pooler in transaction mode; point --ha-postgres-dsn at PostgreSQL itself");
      return false;
    }
    std::lock_guard<std::mutex> lock(term_mutex_);
    term_.epoch = std::stoll(r.rows[0][0]);
    term_.token = token;
    return true;
  }
  return false;
}

void elector::lose(const std::string& reason, bool unreachable) {
  trusted_until_.store(0, std::memory_order_release);
  ha_log().warn("Worker {}: Lost leadership ({})", settings_.worker_id, reason);
  if (cb_.on_follower) cb_.on_follower(reason, unreachable);
}

// Tells the engine, once per session, that another worker's session holds the lock. This
// worker's own previous session may still hold it (the server drops it after its idle timeout):
// that is no sign of another leader.
void elector::note_holder(pg_connection& c, bool& announced) {
  if (announced) return;
  auto r = c.query(
      "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::oid AND "
      "objid = $2::oid AND objsubid = 1 AND granted",
      {lock_classid(lock_key_), lock_objid(lock_key_)}, mono::now() + timings_.lease,
      stop_pipe_[0]);
  if (!r.ok() || r.rows.empty()) return;
  if (last_leader_pid_ != 0 && std::stoi(r.rows[0][0]) == last_leader_pid_) return;
  announced = true;
  if (cb_.on_standing_by) cb_.on_standing_by();
}

void elector::lead(pg_connection& c, mono::time_point base) {
  const leadership_term t = term();
  last_leader_pid_ = session_pid_;
  trusted_until_.store((base + timings_.lease).time_since_epoch().count(),
                       std::memory_order_release);
  ha_log().info("Worker {}: Successfully acquired leadership (ha_uuid={}, epoch={})",
                settings_.worker_id, settings_.ha_uuid, t.epoch);
  if (cb_.on_leader) cb_.on_leader(t);
  auto until = base + timings_.lease;
  auto next_confirm = base + timings_.confirm_interval;
  for (;;) {
    if (stopping_) {
      if (release_on_stop_) release(c);
      trusted_until_.store(0, std::memory_order_release);
      return;
    }
    const auto wake = std::min(next_confirm, until);
    const auto w = c.wait_input(wake, stop_pipe_[0]);
    if (w == pg_connection::wait_result::interrupted) continue;
    if (w == pg_connection::wait_result::broken) {
      lose("connection to PostgreSQL lost: " + c.error_message(), true);
      return;
    }
    c.take_notifications();
    const auto now = mono::now();
    if (now >= until) {
      lose("could not confirm leadership within the lease of " + seconds_text(timings_.lease),
           true);
      return;
    }
    if (now < next_confirm) continue;
    const auto sent = mono::now();
    auto r =
        c.query("SELECT pg_backend_pid(), epoch, token FROM rulebook_ha_leader WHERE ha_uuid = $1",
                {settings_.ha_uuid}, until, stop_pipe_[0]);
    if (r.status == query_outcome::kind::interrupted) continue;
    if (r.status == query_outcome::kind::timeout) {
      lose("could not confirm leadership within the lease of " + seconds_text(timings_.lease),
           true);
      return;
    }
    if (!r.ok()) {
      lose("confirming leadership failed: " + r.error, true);
      return;
    }
    if (r.rows.empty() || std::stoi(r.rows[0][0]) != session_pid_) {
      lose("the session's backend changed (a pooler in transaction mode?)", false);
      return;
    }
    if (std::stoll(r.rows[0][1]) != t.epoch || r.rows[0][2] != t.token) {
      lose("another worker holds epoch " + r.rows[0][1], false);
      return;
    }
    until = sent + timings_.lease;
    trusted_until_.store(until.time_since_epoch().count(), std::memory_order_release);
    next_confirm = sent + timings_.confirm_interval;
  }
}

void elector::release(pg_connection& c) {
  trusted_until_.store(0, std::memory_order_release);
  const leadership_term t = term();
  // The stop pipe is readable now: release without it, under a short deadline of its own.
  auto r =
      c.query("UPDATE rulebook_ha_leader SET released_at = now() WHERE ha_uuid = $1 AND token = $2",
              {settings_.ha_uuid, t.token}, mono::now() + timings_.lease);
  auto u = c.query("SELECT pg_advisory_unlock($1)", {std::to_string(lock_key_)},
                   mono::now() + timings_.lease);
  c.query("NOTIFY " + channel_, {}, mono::now() + timings_.lease);
  if (r.ok() && u.ok())
    ha_log().info("Worker {}: Released leadership (epoch={})", settings_.worker_id, t.epoch);
  else
    ha_log().warn("Worker {}: releasing leadership failed ({}); the lock goes with the session",
                  settings_.worker_id, r.ok() ? u.error : r.error);
}

void elector::run() {
  auto backoff = timings_.reconnect_min;
  while (!stopping_ && !failed_) {
    std::string error;
    auto conn = open_session(error);
    if (!conn) {
      if (stopping_) break;
      if (error != last_connect_error_) {
        ha_log().warn("Worker {}: cannot connect to PostgreSQL ({}): {}; retrying",
                      settings_.worker_id, describe_dsn(settings_.dsn), error);
        last_connect_error_ = error;
      }
      sleep_for(backoff);
      backoff = std::min(backoff * 2, timings_.reconnect_max);
      continue;
    }
    last_connect_error_.clear();
    backoff = timings_.reconnect_min;
    const std::string problem = prepare(*conn);
    if (problem == "retry" || (!problem.empty() && !conn->healthy())) {
      if (!stopping_) sleep_for(backoff);
      continue;
    }
    if (!problem.empty()) {
      if (first_connect_) {
        fatal(problem);
        return;
      }
      ha_log().error("Worker {}: {}; retrying", settings_.worker_id, problem);
      sleep_for(timings_.reconnect_max);
      continue;
    }
    first_connect_ = false;
    if (!follow(*conn)) continue;
    mono::time_point base;
    if (!take_term(*conn, base)) continue;  // closing the session frees the lock
    waiting_logged_ = false;
    lead(*conn, base);
  }
}

}  // namespace rb::ha
