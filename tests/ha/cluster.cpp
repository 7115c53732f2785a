#include "ha/cluster.h"

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <stdexcept>
#include <thread>

namespace rb::test {

using namespace std::chrono;
using namespace std::chrono_literals;

namespace {
constexpr const char* group_uuid = "550e8400-e29b-41d4-a716-446655440000";
}

system_clock::time_point parse_iso(const std::string& s) {
  std::tm tm{};
  int micro = 0;
  std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
              &tm.tm_min, &tm.tm_sec, &micro);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return system_clock::from_time_t(timegm(&tm)) + microseconds(micro);
}

double seconds_between(system_clock::time_point a, system_clock::time_point b) {
  return duration<double>(b - a).count();
}

bool wait_for_text(const std::string& file, const std::string& text, milliseconds timeout) {
  return wait_until([&] { return read_file(file).find(text) != std::string::npos; }, timeout);
}

bool wait_until(const std::function<bool()>& pred, milliseconds timeout) {
  const auto end = steady_clock::now() + timeout;
  while (steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

ha_cluster::ha_cluster(std::string rulebook, std::vector<std::string> extra, pg_server* server)
    : own_pg_(server ? nullptr : std::make_unique<pg_server>()),
      pg_(server ? server : own_pg_.get()),
      rulebook_(std::move(rulebook)),
      extra_(std::move(extra)) {}

ha_cluster::~ha_cluster() {
  for (auto& w : workers_) {
    if (w->pid <= 0) continue;
    kill(w->pid, SIGCONT);
    kill(w->pid, SIGKILL);
    waitpid(w->pid, nullptr, 0);
  }
}

std::string ha_cluster::dsn_via(const ha_worker& w) const {
  return "postgresql://rb:secret@127.0.0.1:" + std::to_string(w.proxy->port()) + "/rb";
}

ha_worker& ha_cluster::start(const std::string& id) {
  auto w = std::make_unique<ha_worker>();
  w->id = id;
  w->proxy = std::make_unique<fault_proxy>("127.0.0.1", pg_->port());
  w->out = dir_.path() + "/" + id + ".out";
  w->err = dir_.path() + "/" + id + ".err";
  w->audit = dir_.path() + "/" + id + ".audit.jsonl";
  std::vector<std::string> args = {"-r", rulebook_, "--ha-postgres-dsn", dsn_via(*w), "--ha-uuid",
                                   group_uuid, "--ha-worker-id", id, "--audit-log", w->audit,
                                   "--shutdown-delay", "5",
                                   // Each worker's own spool: tests run side by side.
                                   "--heartbeat-spool", dir_.path() + "/" + id + ".spool"};
  args.insert(args.end(), extra_.begin(), extra_.end());
  w->pid = spawn_rulebook(args, w->out, w->err);
  if (w->pid <= 0) throw std::runtime_error("cannot start " + id);
  workers_.push_back(std::move(w));
  return *workers_.back();
}

std::vector<action_record> ha_cluster::records() const {
  std::vector<action_record> out;
  for (const auto& w : workers_) {
    for (const auto& r : read_jsonl(w->audit)) {
      if (r.value("type", "") != "Action") continue;
      out.push_back({r.value("worker_id", ""), r.value("ha_epoch", std::int64_t{0}),
                     r.value("rule", ""), r.value("run_at", ""), r.value("action", "")});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const action_record& a, const action_record& b) { return a.run_at < b.run_at; });
  return out;
}

std::int64_t ha_cluster::epoch_of(const ha_worker& w) const {
  std::int64_t e = 0;
  for (const auto& r : records())
    if (r.worker == w.id) e = std::max(e, r.epoch);
  return e;
}

std::optional<action_record> ha_cluster::first_after(std::int64_t epoch) const {
  for (const auto& r : records())
    if (r.epoch > epoch) return r;
  return std::nullopt;
}

std::int64_t ha_cluster::wait_leader(const ha_worker& w, std::int64_t after, milliseconds timeout) {
  std::int64_t e = 0;
  wait_until(
      [&] {
        e = epoch_of(w);
        return e > after;
      },
      timeout);
  return e > after ? e : 0;
}

void ha_cluster::install_fence_check() {
  pg_->exec(
      "CREATE TABLE IF NOT EXISTS fence_violations (epoch bigint, current_epoch bigint, "
      "at timestamptz DEFAULT now());"
      "CREATE OR REPLACE FUNCTION check_fence() RETURNS trigger AS $$ DECLARE cur bigint; "
      "BEGIN SELECT epoch INTO cur FROM rulebook_ha_leader WHERE ha_uuid = NEW.ha_uuid; "
      "IF cur IS DISTINCT FROM NEW.epoch THEN INSERT INTO fence_violations (epoch, "
      "current_epoch) VALUES (NEW.epoch, cur); END IF; RETURN NEW; END $$ LANGUAGE plpgsql;"
      "DROP TRIGGER IF EXISTS fence_check ON rulebook_ha_state;"
      "CREATE TRIGGER fence_check BEFORE INSERT OR UPDATE ON rulebook_ha_state FOR EACH ROW "
      "EXECUTE FUNCTION check_fence();");
}

std::vector<std::string> ha_cluster::history_problems() const {
  std::vector<std::string> problems;
  const auto recs = records();
  if (recs.empty()) problems.push_back("no action was recorded");
  std::map<std::int64_t, std::string> owner;
  std::int64_t last = 0;
  for (const auto& r : recs) {
    if (r.epoch <= 0) problems.push_back("an action of " + r.worker + " without an epoch");
    auto [it, fresh] = owner.emplace(r.epoch, r.worker);
    if (!fresh && it->second != r.worker)
      problems.push_back("epoch " + std::to_string(r.epoch) + " used by " + it->second + " and " +
                         r.worker);
    const bool observes_only = r.action == "http_check" || r.action == "noop";
    if (r.epoch < last && !observes_only)
      problems.push_back("worker " + r.worker + " acted in epoch " + std::to_string(r.epoch) +
                         " at " + r.run_at + " after epoch " + std::to_string(last) + " had begun");
    last = std::max(last, r.epoch);
  }
  const auto v = pg_->query("SELECT count(*) FROM fence_violations");
  if (v[0][0] != "0") problems.push_back(v[0][0] + " fact write(s) of a stale epoch accepted");
  for (const auto& w : workers_) {
    if (read_file(w->err).find("secret") != std::string::npos ||
        read_file(w->out).find("secret") != std::string::npos)
      problems.push_back("the password shows in the output of " + w->id);
  }
  return problems;
}

void ha_cluster::stop_all(milliseconds timeout) {
  for (auto& w : workers_) {
    if (w->pid <= 0) continue;
    kill(w->pid, SIGCONT);
    kill(w->pid, SIGTERM);
  }
  for (auto& w : workers_) reap(*w, timeout);
}

void ha_cluster::reap(ha_worker& w, milliseconds timeout) {
  if (w.pid <= 0) return;
  // Output stays in the files; nothing to read back here.
  auto r = wait_rulebook(w.pid, "/dev/null", "/dev/null", timeout);
  w.exit_code = r.exit_code;
  w.signal = r.signal;
  w.pid = -1;
}

ha_pair::ha_pair(std::string rulebook, std::vector<std::string> extra, pg_server* server)
    : c(std::move(rulebook), std::move(extra), server) {
  leader = &c.start("worker-1");
  epoch = c.wait_leader(*leader);
  if (epoch == 0) throw std::runtime_error("worker-1 did not lead: " + leader->log());
  c.install_fence_check();
  follower = &c.start("worker-2");
  if (!wait_until(
          [&] { return follower->log().find("Another instance is active") != std::string::npos; },
          15s))
    throw std::runtime_error("worker-2 did not wait: " + follower->log());
  std::this_thread::sleep_for(300ms);
}

double ha_pair::takeover(system_clock::time_point fault, milliseconds timeout) {
  std::optional<action_record> first;
  wait_until(
      [&] {
        first = c.first_after(epoch);
        return first.has_value();
      },
      timeout);
  if (!first) return -1;
  return seconds_between(fault, parse_iso(first->run_at));
}

}  // namespace rb::test
