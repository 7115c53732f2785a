#include "store/monitor_catalog_pg.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "ha/pg_conn.h"

namespace rb::store {

const char* const monitor_catalog_ddl = R"sql(
CREATE TABLE IF NOT EXISTS regions (
  id   bigserial PRIMARY KEY,
  name text NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS datacenters (
  id        bigserial PRIMARY KEY,
  name      text NOT NULL UNIQUE,
  region_id bigint REFERENCES regions(id)
);
CREATE TABLE IF NOT EXISTS agents (
  id            bigserial PRIMARY KEY,
  name          text NOT NULL UNIQUE,
  datacenter_id bigint NOT NULL REFERENCES datacenters(id)
);
CREATE TABLE IF NOT EXISTS schedules (
  id               bigserial PRIMARY KEY,
  name             text NOT NULL UNIQUE,
  interval_seconds double precision NOT NULL CHECK (interval_seconds > 0)
);
CREATE TABLE IF NOT EXISTS api_monitors (
  id               bigserial PRIMARY KEY,
  name             text NOT NULL,
  url              text NOT NULL,
  method           text NOT NULL DEFAULT 'GET',
  headers          jsonb NOT NULL DEFAULT '{}',
  body             text,
  timeout_seconds  double precision NOT NULL DEFAULT 10 CHECK (timeout_seconds > 0),
  expect           jsonb NOT NULL DEFAULT '{}',
  schedule_id      bigint NOT NULL REFERENCES schedules(id),
  datacenter_id    bigint NOT NULL REFERENCES datacenters(id),
  enabled          boolean NOT NULL DEFAULT true,
  verify_ssl       boolean,
  follow_redirects boolean,
  ip_version       integer CHECK (ip_version IN (4, 6)),
  proxy            text,
  ca_file          text,
  client_cert      text,
  client_key       text,
  options          jsonb NOT NULL DEFAULT '{}',
  UNIQUE (datacenter_id, name)
);
CREATE INDEX IF NOT EXISTS api_monitors_datacenter ON api_monitors (datacenter_id);
)sql";

namespace {

using ha::mono;

// to_jsonb(m) makes every column of api_monitors travel, including ones added later.
constexpr const char* monitors_sql = R"sql(
SELECT to_jsonb(m), s.interval_seconds, s.name, d.name, r.name
  FROM api_monitors m
  JOIN schedules s ON s.id = m.schedule_id
  JOIN datacenters d ON d.id = m.datacenter_id
  LEFT JOIN regions r ON r.id = d.region_id
 WHERE m.datacenter_id = $1::bigint
   AND coalesce((to_jsonb(m)->>'enabled')::boolean, true)
 ORDER BY m.id
)sql";

constexpr const char* agent_sql = "SELECT datacenter_id FROM agents WHERE id = $1::bigint";

// The pipe the destructor writes to, so that a connect or a query in progress ends at once.
struct stop_pipe {
  int fds[2] = {-1, -1};
  stop_pipe() {
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) fds[0] = fds[1] = -1;
  }
  ~stop_pipe() {
    for (const int fd : fds)
      if (fd >= 0) ::close(fd);
  }
  stop_pipe(const stop_pipe&) = delete;
  stop_pipe& operator=(const stop_pipe&) = delete;
  void ring() const {
    const char b = 1;
    if (fds[1] >= 0) {
      [[maybe_unused]] const auto n = ::write(fds[1], &b, 1);
    }
  }
};

// One api_monitors row as the source's monitor object.
value to_monitor(const std::vector<std::string>& row, std::string& error) {
  value m = value::parse(row[0], nullptr, false);
  if (m.is_discarded() || !m.is_object()) {
    error = "api_monitors row is not a JSON object";
    return {};
  }
  value out = value::object();
  for (auto it = m.begin(); it != m.end(); ++it) {
    const std::string& k = it.key();
    if (it->is_null() || k == "enabled" || k == "options" || k == "timeout_seconds") continue;
    out[k] = it.value();
  }
  if (m.contains("timeout_seconds") && m["timeout_seconds"].is_number())
    out["timeout"] = m["timeout_seconds"];
  // double precision comes back as text; the source reads numeric strings, keep it a number.
  const value interval = value::parse(row[1], nullptr, false);
  out["interval"] = interval.is_number() ? interval : value(row[1]);
  out["schedule"] = row[2];
  out["datacenter"] = row[3];
  if (!row[4].empty()) out["region"] = row[4];
  if (const auto o = m.find("options"); o != m.end() && o->is_object())
    for (auto it = o->begin(); it != o->end(); ++it)
      if (!out.contains(it.key())) out[it.key()] = it.value();  // columns win
  return out;
}

class pg_catalog final : public monitor_catalog {
 public:
  pg_catalog(const monitor_catalog_query& q, std::string dsn, loop_poster post)
      : query_(q), dsn_(std::move(dsn)), post_(std::move(post)) {
    thread_ = std::thread([this] { run(); });
  }

  ~pg_catalog() override {
    *alive_ = false;  // on the loop: a result posted but not yet run is dropped
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    stop_.ring();
    thread_.join();
  }

  void load(std::function<void(value, std::string)> done) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(std::move(done));
    }
    wake_.notify_one();
  }

 private:
  void run() {
    for (;;) {
      std::function<void(value, std::string)> done;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !requests_.empty(); });
        if (stopping_) return;
        done = std::move(requests_.front());
        requests_.pop_front();
      }
      std::string error;
      value list = read(error);
      post_([alive = alive_, done = std::move(done), list = std::move(list),
             error = std::move(error)]() mutable {
        if (*alive) done(std::move(list), std::move(error));
      });
    }
  }

  value read(std::string& error) {
    const auto deadline = mono::now() + query_.timeout;
    const auto ms = std::to_string(query_.timeout.count());
    const std::vector<std::pair<std::string, std::string>> keywords = {
        {"application_name", "rulebook monitors"},
        {"connect_timeout", std::to_string((query_.timeout.count() + 999) / 1000)},
        {"options", "-c statement_timeout=" + ms}};
    auto conn = ha::pg_connection::connect(dsn_, keywords, deadline, stop_.fds[0], error);
    if (!conn) {
      error = "cannot connect to PostgreSQL (" + ha::describe_dsn(dsn_) + "): " + error;
      return {};
    }
    std::int64_t datacenter = query_.datacenter_id;
    if (query_.agent_id > 0) {
      auto r = conn->query(agent_sql, {std::to_string(query_.agent_id)}, deadline, stop_.fds[0]);
      if (!r.ok()) return failed(r, error);
      if (r.rows.empty() || r.rows[0][0].empty()) {
        error = "agent " + std::to_string(query_.agent_id) + " is not in table agents";
        return {};
      }
      const std::string& text = r.rows[0][0];
      std::from_chars(text.data(), text.data() + text.size(), datacenter);
    }
    auto r = conn->query(monitors_sql, {std::to_string(datacenter)}, deadline, stop_.fds[0]);
    if (!r.ok()) return failed(r, error);
    value list = value::array();
    for (const auto& row : r.rows) {
      value m = to_monitor(row, error);
      if (!error.empty()) return {};
      list.push_back(std::move(m));
    }
    return list;
  }

  static value failed(const ha::query_outcome& r, std::string& error) {
    using kind = ha::query_outcome::kind;
    switch (r.status) {
      case kind::timeout:
        error = "the query timed out";
        break;
      case kind::interrupted:
        error = "interrupted";
        break;
      default:
        error = "query failed: " + r.error;
    }
    return {};
  }

  const monitor_catalog_query query_;
  const std::string dsn_;
  const loop_poster post_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // read and written on the loop
  stop_pipe stop_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void(value, std::string)>> requests_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace

std::unique_ptr<monitor_catalog> open_pg_monitor_catalog(const monitor_catalog_query& q,
                                                         const std::string& default_dsn,
                                                         loop_poster post, std::string& error) {
  const std::string dsn = q.dsn.empty() ? default_dsn : q.dsn;
  if (dsn.empty()) {
    error = "no 'dsn' given and no HA DSN (--ha-postgres-dsn) to default to";
    return nullptr;
  }
  if (std::string problem = ha::dsn_problem(dsn); !problem.empty()) {
    error = "libpq cannot use it: " + problem;
    return nullptr;
  }
  return std::make_unique<pg_catalog>(q, dsn, std::move(post));
}

monitor_catalog_factory pg_monitor_catalogs(std::string default_dsn, loop_poster post) {
  return [default_dsn = std::move(default_dsn), post = std::move(post)](
             const monitor_catalog_query& q, std::string& error) {
    return open_pg_monitor_catalog(q, default_dsn, post, error);
  };
}

}  // namespace rb::store
