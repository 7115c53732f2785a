#include "ha/state_store.h"

#include <algorithm>
#include <unordered_map>

#include "ha/log.h"

namespace rb::ha {

state_store::state_store(settings s)
    : settings_(std::move(s)), timings_(derive_timings(settings_)) {}

state_store::~state_store() { stop(); }

void state_store::start() {
  thread_ = std::thread([this] { run(); });
}

void state_store::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void state_store::put(const leadership_term& term, std::string ruleset, std::string kind,
                      std::string key, std::string json) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back({term, std::move(ruleset), std::move(kind), std::move(key), std::move(json)});
  }
  wake_.notify_one();
}

void state_store::load(std::function<void(std::vector<stored_item>, std::string)> done) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    loads_.push_back(std::move(done));
  }
  wake_.notify_one();
}

bool state_store::flush(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return idle_.wait_for(lock, timeout, [this] { return queue_.empty() && !busy_; });
}

std::uint64_t state_store::committed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return committed_;
}
std::uint64_t state_store::refused() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return refused_;
}

bool state_store::connect() {
  if (conn_ && conn_->healthy()) return true;
  conn_.reset();
  const std::string options =
      "-c idle_in_transaction_session_timeout=" + std::to_string(timings_.server_timeout.count()) +
      " -c statement_timeout=" + std::to_string(timings_.lease.count()) +
      " -c lock_timeout=" + std::to_string(timings_.lease.count());
  std::string error;
  conn_ = pg_connection::connect(settings_.dsn,
                                 connection_keywords(settings_, timings_, "state", options),
                                 mono::now() + timings_.connect_timeout, -1, error);
  if (!conn_) {
    ha_log().warn("Worker {}: state store cannot connect to PostgreSQL ({}): {}",
                  settings_.worker_id, describe_dsn(settings_.dsn), error);
    return false;
  }
  return true;
}

// A PostgreSQL array literal of text values.
static std::string text_array(const std::vector<const std::string*>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : *items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

// A run of writes of one term as ONE statement (one round trip, its own transaction): the CTE
// `fence` locks the fencing row FOR SHARE and every change happens only if (epoch, token) still
// hold. Returns false when the connection failed (the batch is retried); a refused batch is done.
bool state_store::write_batch(std::vector<op>& batch) {
  const leadership_term& t = batch.front().term;
  // Only the last write of each item counts (and one statement may touch a row only once).
  std::vector<const op*> last;
  {
    std::unordered_map<std::string, std::size_t> at;
    for (const auto& o : batch) {
      const std::string id = o.ruleset + '\x1f' + o.kind + '\x1f' + o.key;
      auto [it, fresh] = at.emplace(id, last.size());
      if (fresh)
        last.push_back(&o);
      else
        last[it->second] = &o;
    }
  }
  std::vector<const std::string*> del_rs, del_kind, del_key, ins_rs, ins_kind, ins_key, ins_json;
  for (const op* o : last) {
    if (o->json.empty()) {
      del_rs.push_back(&o->ruleset);
      del_kind.push_back(&o->kind);
      del_key.push_back(&o->key);
    } else {
      ins_rs.push_back(&o->ruleset);
      ins_kind.push_back(&o->kind);
      ins_key.push_back(&o->key);
      ins_json.push_back(&o->json);
    }
  }
  auto r = conn_->query(
      "WITH fence AS (SELECT 1 FROM rulebook_ha_leader WHERE ha_uuid = $1 AND epoch = $2 AND "
      "token = $3 FOR SHARE), "
      "del AS (DELETE FROM rulebook_ha_state WHERE ha_uuid = $1 AND EXISTS (SELECT 1 FROM fence) "
      "AND (ruleset, kind, key) IN (SELECT * FROM unnest($4::text[], $5::text[], $6::text[]))), "
      "ins AS (INSERT INTO rulebook_ha_state (ha_uuid, ruleset, kind, key, value, epoch) "
      "SELECT $1, u.r, u.c, u.k, u.v::jsonb, $2 FROM unnest($7::text[], $8::text[], $9::text[], "
      "$10::text[]) WITH ORDINALITY AS u(r, c, k, v, n) WHERE EXISTS (SELECT 1 FROM fence) "
      "ORDER BY u.n ON CONFLICT (ha_uuid, ruleset, kind, key) DO UPDATE SET value = "
      "EXCLUDED.value, epoch = EXCLUDED.epoch, updated_at = now(), seq = DEFAULT) "
      "SELECT count(*) FROM fence",
      {settings_.ha_uuid, std::to_string(t.epoch), t.token, text_array(del_rs),
       text_array(del_kind), text_array(del_key), text_array(ins_rs), text_array(ins_kind),
       text_array(ins_key), text_array(ins_json)},
      mono::now() + timings_.lease);
  if (!r.ok() || r.rows.empty()) {
    ha_log().warn("Worker {}: writing state failed: {}", settings_.worker_id, r.error);
    conn_.reset();  // never reuse a connection after a failure or timeout
    return false;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (r.rows[0][0] != "1") {
    refused_ += batch.size();
    ha_log().error(
        "Worker {}: {} state write(s) of epoch {} refused: a newer leader holds the group",
        settings_.worker_id, batch.size(), t.epoch);
    return true;
  }
  committed_ += batch.size();
  return true;
}

void state_store::run() {
  auto backoff = timings_.reconnect_min;
  connect();  // now rather than when a new leader first needs its state
  for (;;) {
    std::vector<op> batch;
    std::vector<std::function<void(std::vector<stored_item>, std::string)>> loads;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      busy_ = false;
      if (queue_.empty()) idle_.notify_all();
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty() || !loads_.empty(); });
      if (stopping_ && (queue_.empty() || !conn_)) return;
      busy_ = true;
      // A batch is a run of writes of one term, at most 512.
      while (!queue_.empty() && batch.size() < 512 &&
             (batch.empty() || (queue_.front().term.epoch == batch.front().term.epoch &&
                                queue_.front().term.token == batch.front().term.token))) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      loads = std::move(loads_);
      loads_.clear();
    }
    bool ok = connect();
    if (ok && !batch.empty()) ok = write_batch(batch);
    if (!ok) {
      // Put the batch back in front, in order, and try again on a new connection.
      std::unique_lock<std::mutex> lock(mutex_);
      for (auto it = batch.rbegin(); it != batch.rend(); ++it) queue_.push_front(std::move(*it));
      for (auto& l : loads) loads_.push_back(std::move(l));
      if (stopping_) return;
      lock.unlock();
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, timings_.reconnect_max);
      continue;
    }
    backoff = timings_.reconnect_min;
    for (auto& done : loads) {
      if (!conn_) {
        done({}, "no connection");
        continue;
      }
      auto r = conn_->query(
          "SELECT ruleset, kind, key, value::text FROM rulebook_ha_state WHERE ha_uuid = $1 "
          "ORDER BY seq",
          {settings_.ha_uuid}, mono::now() + timings_.lease);
      if (!r.ok()) {
        conn_.reset();
        done({}, r.error);
        continue;
      }
      std::vector<stored_item> items;
      for (auto& row : r.rows)
        items.push_back(
            {std::move(row[0]), std::move(row[1]), std::move(row[2]), std::move(row[3])});
      done(std::move(items), {});
    }
  }
}

}  // namespace rb::ha
