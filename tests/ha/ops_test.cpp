// The operability server under HA with the real binary and a real PostgreSQL: /health/ready and
// rulebook_ha_* follow the lock across a kill -9; and a real HAProxy health-checking
// /health/ready sends webhooks to the leader only, through a takeover, with no event twice.
#include <doctest/doctest.h>
#include <signal.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "cluster.h"
#include "harness.h"
#include "support/http_server.h"
#include "support/pg_server.h"

using namespace rb;
using namespace std::chrono_literals;

namespace {

struct worker {
  std::string id;
  unsigned short hook_port = 0;
  int http_port = 0;
  int pid = -1;
  std::string out, err, audit;
};

// Two workers of one HA group, each with a webhook source and --http-port; with `monitor_url`
// set, also a `monitors` source checking it every second (heartbeats: the status page's data).
class ops_pair {
 public:
  ops_pair() {
    w[0].id = "worker-1";
    w[1].id = "worker-2";
    w[0].hook_port = test::closed_loopback_port();
    w[1].hook_port = test::closed_loopback_port();
    if (w[1].hook_port == w[0].hook_port)
      w[1].hook_port = static_cast<unsigned short>(w[0].hook_port + 1);
  }
  ~ops_pair() {
    for (auto& x : w)
      if (x.pid > 0) {
        kill(x.pid, SIGKILL);
        test::wait_rulebook(x.pid, x.out, x.err, 10s);
      }
  }

  // Starts `x` and waits for its operability port; `log` is the line that says its role.
  void start(worker& x, const std::string& log) {
    const std::string monitors = monitor_url.empty() ? "" : R"(
    - monitors:
        monitors:
          - {name: probe, url: ")" + monitor_url + R"(", interval: 1, timeout: 1})";
    const std::string check = monitor_url.empty() ? "" : R"(
    - name: check
      condition: event.monitor is defined
      action:
        http_check:)";
    const std::string rb = dir.write(x.id + ".yml", R"(
- name: hooks
  hosts: all
  sources:
    - ansible.eda.webhook:
        host: 127.0.0.1
        port: )" + std::to_string(x.hook_port) + monitors +
                                                        R"(
  rules:
    - name: numbered
      condition: event.payload.n is defined
      action:
        none:)" + check + "\n");
    x.out = dir.path() + "/" + x.id + ".out";
    x.err = dir.path() + "/" + x.id + ".err";
    x.audit = dir.path() + "/" + x.id + ".jsonl";
    x.pid = test::spawn_rulebook(
        {"-r", rb, "--ha-postgres-dsn", pg.dsn(), "--ha-uuid", "ops", "--ha-worker-id", x.id,
         "--audit-log", x.audit, "--http-port", "0", "--http-host", "127.0.0.1", "-v"},
        x.out, x.err);
    x.http_port = test::wait_http_port(x.err);
    REQUIRE_MESSAGE(x.http_port > 0, test::read_file(x.err));
    REQUIRE_MESSAGE(test::wait_until(
                        [&] { return test::read_file(x.err).find(log) != std::string::npos; }, 15s),
                    test::read_file(x.err));
  }
  // Both running: worker-1 leading and ready, worker-2 following.
  void start_both() {
    start(w[0], "Successfully acquired leadership");
    start(w[1], "Another instance is active");
    REQUIRE(test::wait_until([&] { return ready(w[0]).status == 200; }, 15s));
  }

  test::reply get(const worker& x, const std::string& path) const {
    return test::curl(test::quote("http://127.0.0.1:" + std::to_string(x.http_port) + path));
  }
  test::reply ready(const worker& x) const { return get(x, "/health/ready"); }
  double metric(const worker& x, const std::string& series) const {
    return test::metric_sample(get(x, "/metrics").body, series);
  }

  void kill9(worker& x) {
    kill(x.pid, SIGKILL);
    const auto r = test::wait_rulebook(x.pid, x.out, x.err, 10s);
    CHECK(r.signal == SIGKILL);
    x.pid = -1;
  }
  void stop(worker& x) {
    kill(x.pid, SIGTERM);
    const auto r = test::wait_rulebook(x.pid, x.out, x.err, 20s);
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    x.pid = -1;
  }

  test::pg_server pg;
  test::temp_dir dir;
  worker w[2];
  std::string monitor_url;
};

// The webhook numbers of a worker's Action records.
std::vector<long> numbers_in(const std::string& audit) {
  std::vector<long> out;
  for (const auto& r : test::read_jsonl(audit))
    if (r.value("type", "") == "Action")
      out.push_back(r["matching_events"]["m"]["payload"]["n"].get<long>());
  return out;
}

}  // namespace

TEST_CASE("ha ops: /health/ready, rulebook_ha_* and / follow the leader across a kill -9") {
  ops_pair p;
  worker& w1 = p.w[0];
  worker& w2 = p.w[1];
  // Nothing listens there: the probe is down, with its URL escaped on both workers' pages.
  p.monitor_url = "http://127.0.0.1:" + std::to_string(test::closed_loopback_port()) + "/?a=1&b=2";
  const std::string url_html =
      "<a href=\"" + p.monitor_url.substr(0, p.monitor_url.size() - 4) + "&amp;b=2\"";
  p.start_both();

  const auto lead = p.ready(w1);
  const value lv = value::parse(lead.body);
  CHECK(lv["role"] == "leader");
  CHECK(lv["worker_id"] == "worker-1");
  CHECK(lv["epoch"].get<long>() > 0);
  CHECK(lv["leader_since"].is_string());
  const auto follow = p.ready(w2);
  CHECK(follow.status == 503);
  const value fv = value::parse(follow.body);
  CHECK(fv["role"] == "follower");
  CHECK(fv["worker_id"] == "worker-2");
  CHECK(fv["leader_since"].is_null());
  // Liveness is not readiness: the follower is alive.
  CHECK(p.get(w2, "/health/live").status == 200);

  // The status page says the same: role, worker and epoch. The follower has the heartbeat store
  // (the HA database) and its own copy of the monitor list, so it shows the probe too (pending
  // until the leader's first heartbeats are in a summary, then down). The cards come with the
  // store's first answer.
  const auto page_with = [&](const worker& x, const std::string& text) {
    std::string page;
    test::wait_until(
        [&] {
          page = p.get(x, "/").body;
          return page.find(text) != std::string::npos;
        },
        20s);
    return page;
  };
  const std::string lead_page = page_with(w1, url_html);
  CHECK_MESSAGE(lead_page.find("role <b>leader</b> · worker worker-1 · epoch " +
                               std::to_string(lv["epoch"].get<long>()) + " ·") != std::string::npos,
                lead_page);
  CHECK(lead_page.find(url_html) != std::string::npos);
  const std::string follow_page = page_with(w2, url_html);
  CHECK_MESSAGE(follow_page.find("role <b>follower</b> · worker worker-2") != std::string::npos,
                follow_page);
  CHECK(follow_page.find("<span class=\"name\">probe</span>") != std::string::npos);
  CHECK(follow_page.find(url_html) != std::string::npos);
  CHECK(follow_page.find("cannot answer") == std::string::npos);

  CHECK(p.metric(w1, "rulebook_ha_leader") == 1);
  CHECK(p.metric(w1, "rulebook_ha_takeovers_total") == 1);
  CHECK(p.metric(w2, "rulebook_ha_leader") == 0);
  CHECK(p.metric(w2, "rulebook_ha_takeovers_total") == 0);
  CHECK(p.metric(w2, "rulebook_ha_observing") == 0);
  p.dir.write("follower.txt", p.get(w2, "/metrics").body);
  const auto lint =
      test::shell("promtool check metrics < " + test::quote(p.dir.path() + "/follower.txt"));
  CHECK_MESSAGE(lint.exit_code == 0, lint.output);

  p.kill9(w1);
  // The lock goes with the dead connection: the follower takes over well within the bound.
  REQUIRE_MESSAGE(test::wait_until([&] { return p.ready(w2).status == 200; }, 20s),
                  test::read_file(w2.err));
  const value nv = value::parse(p.ready(w2).body);
  CHECK(nv["role"] == "leader");
  CHECK(nv["epoch"].get<long>() > lv["epoch"].get<long>());
  CHECK(p.metric(w2, "rulebook_ha_leader") == 1);
  CHECK(p.metric(w2, "rulebook_ha_takeovers_total") == 1);
  CHECK(p.metric(w2, "rulebook_ha_epoch") == nv["epoch"].get<double>());
  const std::string took_over = p.get(w2, "/").body;
  CHECK_MESSAGE(took_over.find("role <b>leader</b> · worker worker-2 · epoch " +
                               std::to_string(nv["epoch"].get<long>()) + " ·") != std::string::npos,
                took_over);
  // The summary, read again when this worker's heartbeats land, comes to hold the probe's: down,
  // refused.
  const std::string probe_down =
      "<span class=\"name\">probe</span><span class=\"pill down\">DOWN</span>";
  CHECK_MESSAGE(page_with(w2, probe_down).find(probe_down) != std::string::npos,
                p.get(w2, "/").body);
  CHECK(p.ready(w1).status == 0);  // nothing listens

  // Back, worker-1 follows: the roles have flipped.
  p.start(w1, "Another instance is active");
  CHECK(p.ready(w1).status == 503);
  CHECK(p.metric(w1, "rulebook_ha_leader") == 0);
  CHECK(p.metric(w1, "rulebook_ha_takeovers_total") == 0);
  CHECK(p.ready(w2).status == 200);
  p.stop(w1);
  p.stop(w2);
}

namespace {

struct answer {
  long n = 0;
  int status = 0;
  std::string server;  // HAProxy's name of the worker that answered
  std::chrono::steady_clock::time_point at;
};

// HAProxy on loopback, health-checking each worker's /health/ready on its --http-port. `timeout
// check` well above `inter`: a slow answer from a busy leader must not take it out; a dead one
// refuses the connection at once.
class haproxy {
 public:
  haproxy(const test::temp_dir& dir, const worker (&w)[2]) : dir_(dir) {
    port = test::closed_loopback_port();
    std::string cfg = R"(global
    maxconn 256
defaults
    mode http
    timeout connect 1s
    timeout client 10s
    timeout server 10s
    timeout check 2s
    retries 2
    option redispatch 1
frontend webhooks
    bind 127.0.0.1:)" +
                      std::to_string(port) + R"(
    default_backend leader
backend leader
    option httpchk GET /health/ready
    http-check expect status 200
    http-response set-header X-Rulebook-Worker %s
    default-server inter 200ms fall 1 rise 1 on-marked-down shutdown-sessions
)";
    for (const auto& x : w)
      cfg += "    server " + x.id + " 127.0.0.1:" + std::to_string(x.hook_port) + " check port " +
             std::to_string(x.http_port) + "\n";
    const std::string path = dir.write("haproxy.cfg", cfg);
    const auto valid = test::shell("haproxy -c -f " + test::quote(path));
    REQUIRE_MESSAGE(valid.exit_code == 0, valid.output);
    pid_ = test::spawn_program("/usr/sbin/haproxy", {"-f", path, "-db"},
                               dir.path() + "/haproxy.out", dir.path() + "/haproxy.err");
  }
  ~haproxy() {
    kill(pid_, SIGTERM);
    test::wait_rulebook(pid_, dir_.path() + "/haproxy.out", dir_.path() + "/haproxy.err", 10s);
  }
  answer post(long n) const {
    answer a;
    a.n = n;
    const auto r =
        test::curl("-m 5 -H 'Content-Type: application/json' -d '{\"n\": " + std::to_string(n) +
                   "}' http://127.0.0.1:" + std::to_string(port) + "/hook");
    a.at = std::chrono::steady_clock::now();
    a.status = r.status;
    const std::string header = "x-rulebook-worker: ";
    std::string h = r.headers;
    for (auto& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (const auto at = h.find(header); at != std::string::npos)
      a.server = r.headers.substr(at + header.size(), h.find('\r', at) - at - header.size());
    return a;
  }
  unsigned short port = 0;

 private:
  const test::temp_dir& dir_;
  int pid_ = -1;
};

}  // namespace

TEST_CASE("ha haproxy: webhooks through HAProxy reach the leader, once each, across a kill -9") {
  ops_pair p;
  worker& w1 = p.w[0];
  worker& w2 = p.w[1];
  p.start_both();
  haproxy lb(p.dir, p.w);
  // HAProxy starts with every server up until its first check: wait until the follower is out.
  REQUIRE(test::wait_until(
      [&] {
        const auto a = lb.post(-1);
        return a.status == 200 && a.server == "worker-1";
      },
      15s));
  std::this_thread::sleep_for(1s);  // several check intervals: worker-2 marked down

  std::mutex mu;
  std::vector<answer> answers;
  std::atomic<bool> done{false};
  std::thread client([&] {
    for (long n = 0; !done; ++n) {
      auto a = lb.post(n);
      std::lock_guard lock(mu);
      answers.push_back(std::move(a));
    }
  });
  auto count_200 = [&](std::chrono::steady_clock::time_point after) {
    std::lock_guard lock(mu);
    long k = 0;
    for (const auto& a : answers) k += a.status == 200 && a.at > after;
    return k;
  };
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(test::wait_until([&] { return count_200(t0) >= 50; }, 30s));

  const auto killed_at = std::chrono::steady_clock::now();
  p.kill9(w1);
  const bool resumed = test::wait_until([&] { return count_200(killed_at) >= 1; }, 20s);
  const auto resumed_at = std::chrono::steady_clock::now();
  CHECK_MESSAGE(resumed, test::read_file(w2.err));
  if (resumed) CHECK(test::wait_until([&] { return count_200(resumed_at) >= 50; }, 30s));
  done = true;
  client.join();
  p.stop(w2);

  std::map<long, int> seen;  // number -> audit records across both workers
  const auto by_1 = numbers_in(w1.audit), by_2 = numbers_in(w2.audit);
  for (const auto* by : {&by_1, &by_2})
    for (long n : *by)
      if (n >= 0) ++seen[n];  // -1: the probes above
  for (const auto& [n, times] : seen) CHECK_MESSAGE(times == 1, "event " << n << " twice");

  long before = 0, after = 0, refused = 0, lost_in_flight = 0;
  for (const auto& a : answers) {
    if (a.status != 200) {
      ++refused;
      // Before the kill every request reaches the leader and is taken.
      CHECK_MESSAGE(a.at > killed_at,
                    "request " << a.n << " got " << a.status << " before the kill");
      continue;
    }
    if (a.at < killed_at) {
      ++before;
      CHECK_MESSAGE(a.server == "worker-1", "request " << a.n << " answered by " << a.server);
    } else {
      ++after;
    }
    if (seen.count(a.n)) continue;
    // 200 means queued (docs/sources.md): the killed leader's last queued events may go with it.
    // Only those answered just before the kill; everything else is in an audit log.
    const bool in_flight = a.server == "worker-1" && a.at > killed_at - 1s;
    if (in_flight)
      ++lost_in_flight;
    else
      CHECK_MESSAGE(false,
                    "request " << a.n << " got 200 from " << a.server << " and is in no audit log");
  }
  MESSAGE("200 before the kill: " << before << ", after: " << after
                                  << ", refused during the "
                                     "takeover: "
                                  << refused << ", lost in flight: " << lost_in_flight
                                  << ", 200s resumed "
                                  << std::chrono::duration<double>(resumed_at - killed_at).count()
                                  << " s after the kill");
  CHECK(before >= 50);
  CHECK(after >= 50);
  // The client sends one request at a time, and the loop matches a queued event on its next
  // turn: only the last request or two before the kill can be in the window.
  CHECK(lost_in_flight <= 2);
  // Routing: worker-2 recorded only what it answered after the kill; worker-1 only before it.
  std::map<long, std::string> server_of;
  for (const auto& a : answers)
    if (a.status == 200) server_of[a.n] = a.server;
  for (long n : by_1)
    if (n >= 0) CHECK_MESSAGE(server_of[n] == "worker-1", "event " << n);
  for (long n : by_2) CHECK_MESSAGE(server_of[n] == "worker-2", "event " << n);
}
