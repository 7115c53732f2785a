// The operability server (--http-port) with the real binary: health endpoints, /metrics checked
// by promtool and against the audit log, usage and start-up errors; and the shipped deployment
// files (Prometheus rules and scrape config, HAProxy config) checked by their own tools.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "harness.h"

using namespace rb::test;
using namespace std::chrono_literals;
using rb::value;

namespace {

// 20 numbered events, then the source idles so the run stays up to be scraped. Events 0-11 fire
// a debug that succeeds, 12-19 one that fails (an undefined name).
const char* const metrics_rulebook = R"(
- name: counted
  hosts: all
  sources:
    - generic:
        payload:
          - kind: tick
        repeat_count: 20
        create_index: n
        shutdown_after: 120
  rules:
    - name: early
      condition: event.n < 12
      action:
        debug:
          msg: "event {{ event.n }}"
    - name: late
      condition: event.n >= 12
      action:
        debug:
          msg: "{{ event.missing }}"
)";

struct running {
  temp_dir dir;
  std::string out = dir.path() + "/out", err = dir.path() + "/err";
  std::string audit = dir.path() + "/audit.jsonl";
  int pid = -1;
  int port = 0;
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port) + path;
  }
  run_result stop() {
    kill(pid, SIGTERM);
    return wait_rulebook(pid, out, err, 20s);
  }
};

// A loopback port that answers every connection with 200 "ok" until destroyed.
struct ok_server {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int port = 0;
  std::atomic<bool> stop{false};
  std::thread thread;
  ok_server() {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    REQUIRE(::listen(fd, 16) == 0);
    port = ntohs(addr.sin_port);
    thread = std::thread([this] {
      while (!stop) {
        const int c = ::accept(fd, nullptr, nullptr);
        if (c < 0) break;
        char buf[4096];
        (void)::recv(c, buf, sizeof buf, 0);  // one small GET
        const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
        (void)::send(c, reply, sizeof reply - 1, MSG_NOSIGNAL);
        ::close(c);
      }
    });
  }
  ~ok_server() {
    stop = true;
    ::shutdown(fd, SHUT_RDWR);  // wakes accept()
    thread.join();
    ::close(fd);
  }
};

// A loopback port nothing listens on: connections are refused.
int closed_port() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(s);
  return ntohs(addr.sin_port);
}

}  // namespace

TEST_CASE("operability: /metrics has each monitor's last check (up, time, phases), promtool ok") {
  ok_server up_server;
  const std::string up_url = "http://127.0.0.1:" + std::to_string(up_server.port) + "/";
  const std::string down_url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/";
  running r;
  // The down monitor's name needs escaping on the page; it takes the worker's --datacenter.
  const std::string rb = r.dir.write("checks.yml", R"(
- name: checks
  hosts: all
  sources:
    - generic:
        payload:
          - kind: up
          - kind: down
        shutdown_after: 120
  rules:
    - name: up
      condition: event.kind == "up"
      action:
        http_check:
          url: )" + up_url + R"(
          name: web
          datacenter: NY
          post_events: false
    - name: down
      condition: event.kind == "down"
      action:
        http_check:
          url: )" + down_url + R"(
          name: 'api "v2"'
          timeout: 5
          post_events: false
)");
  const double before = static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
  r.pid = spawn_rulebook(
      {"-r", rb, "--http-port", "0", "--http-host", "127.0.0.1", "--datacenter", "LA",
       "--audit-log", r.audit, "-v", "--heartbeat-store", "sqlite:" + r.dir.path() + "/hb.db"},
      r.out, r.err);
  r.port = wait_http_port(r.err);
  REQUIRE_MESSAGE(r.port > 0, read_file(r.err));

  const std::string web = "{monitor=\"web\",datacenter=\"NY\"}";
  const std::string api = "{monitor=\"api \\\"v2\\\"\",datacenter=\"LA\"}";
  std::string page;
  const auto end = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < end) {
    page = curl(quote(r.url("/metrics"))).body;
    if (metric_sample(page, "rulebook_monitor_up" + web) >= 0 &&
        metric_sample(page, "rulebook_monitor_up" + api) >= 0)
      break;
    std::this_thread::sleep_for(100ms);
  }
  CAPTURE(page);
  CHECK(metric_sample(page, "rulebook_monitor_up" + web) == 1);
  CHECK(metric_sample(page, "rulebook_monitor_up" + api) == 0);
  for (const auto& labels : {web, api}) {
    const double at = metric_sample(page, "rulebook_monitor_last_check_timestamp_seconds" + labels);
    CHECK(at >= before - 1);
    CHECK(at <= before + 60);
  }
  const std::string web_phase =
      "rulebook_monitor_check_duration_seconds{monitor=\"web\","
      "datacenter=\"NY\",phase=\"";
  const double total = metric_sample(page, web_phase + "total\"}");
  CHECK(total > 0);
  CHECK(total < 10);
  for (const char* phase : {"dns", "connect", "tls", "ttfb", "transfer"}) {
    const double v = metric_sample(page, web_phase + phase + "\"}");
    CHECK_MESSAGE(v >= 0, phase);
    CHECK_MESSAGE(v <= total, phase);
  }
  CHECK(metric_sample(page, web_phase + "tls\"}") == 0);  // plain HTTP
  // No TLS anywhere: no certificate expiry series.
  CHECK(page.find("rulebook_monitor_cert_expiry_timestamp_seconds{") == std::string::npos);
  CHECK(metric_sample(page, "rulebook_http_checks_total{result=\"success\"}") == 1);
  CHECK(metric_sample(page, "rulebook_http_checks_total{result=\"failure\"}") == 1);

  r.dir.write("metrics.txt", page);
  const auto lint = shell("promtool check metrics < " + quote(r.dir.path() + "/metrics.txt"));
  CHECK_MESSAGE(lint.exit_code == 0, lint.output);
  CHECK(r.stop().exit_code == 0);
}

TEST_CASE("operability: health endpoints standalone; /metrics passes promtool, matches audit") {
  running r;
  const std::string rb = r.dir.write("counted.yml", metrics_rulebook);
  r.pid = spawn_rulebook(
      {"-r", rb, "--audit-log", r.audit, "--http-port", "0", "--http-host", "127.0.0.1", "-v"},
      r.out, r.err);
  r.port = wait_http_port(r.err);
  REQUIRE_MESSAGE(r.port > 0, read_file(r.err));

  for (const char* path : {"/health/live", "/healthz"}) {
    const auto live = curl(quote(r.url(path)));
    CHECK_MESSAGE(live.status == 200, path);
    CHECK(value::parse(live.body) == value::parse(R"({"status":"alive"})"));
  }
  const auto ready = curl(quote(r.url("/health/ready")));
  CHECK(ready.status == 200);
  const value rv = value::parse(ready.body);
  CHECK(rv["role"] == "standalone");
  CHECK(rv["status"] == "ready");
  CHECK(curl(quote(r.url("/nothing-here"))).status == 404);

  // Every event's record is written (the failing ones too) before the counters are compared.
  const auto end = std::chrono::steady_clock::now() + 20s;
  while (read_jsonl(r.audit).size() < 20 && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(50ms);
  const auto records = read_jsonl(r.audit);
  REQUIRE(records.size() == 20);

  const auto scraped = curl(quote(r.url("/metrics")));
  REQUIRE(scraped.status == 200);
  CHECK(scraped.headers.find("text/plain; version=0.0.4") != std::string::npos);
  const std::string page = scraped.body;
  r.dir.write("metrics.txt", page);
  const auto lint = shell("promtool check metrics < " + quote(r.dir.path() + "/metrics.txt"));
  CHECK_MESSAGE(lint.exit_code == 0, lint.output);

  std::map<std::string, int> matches, by_status;
  for (const auto& rec : records) {
    if (rec.value("type", "") != "Action") continue;
    ++matches[rec["rule"].get<std::string>()];
    ++by_status[rec["action"].get<std::string>() + "/" + rec["status"].get<std::string>()];
  }
  CHECK(matches["early"] == 12);
  CHECK(matches["late"] == 8);
  for (const auto& [rule, n] : matches)
    CHECK_MESSAGE(metric_sample(page, "rulebook_rule_matches_total{ruleset=\"counted\",rule=\"" +
                                          rule + "\"}") == n,
                  rule);
  for (const char* status : {"successful", "failed"})
    CHECK_MESSAGE(
        metric_sample(page, std::string("rulebook_actions_total{action=\"debug\",status=\"") +
                                status + "\"}") == by_status[std::string("debug/") + status],
        status);
  CHECK(metric_sample(
            page, "rulebook_events_received_total{ruleset=\"counted\",source=\"generic\"}") == 20);
  CHECK(metric_sample(page, "rulebook_queue_events{ruleset=\"counted\"}") == 0);
  CHECK(metric_sample(page, "rulebook_actions_running") == 0);
  CHECK(metric_sample(page, "process_resident_memory_bytes") > 0);
  // Standalone: no HA series to mislead an alert on the group's leader.
  CHECK(page.find("rulebook_ha_leader") == std::string::npos);

  const auto done = r.stop();
  CHECK(done.exit_code == 0);
}

TEST_CASE("operability: a bad --http-port value exits 2 naming the flag") {
  for (const char* bad : {"http", "-1", "65536", "80.5"}) {
    const auto r =
        run_rulebook({"-r", source_path("rulebooks/hello.yml"), std::string("--http-port=") + bad});
    CHECK_MESSAGE(r.exit_code == 2, bad);
    CHECK_MESSAGE(r.err.find("--http-port") != std::string::npos, r.err);
  }
  const auto env =
      run_rulebook({"-r", source_path("rulebooks/hello.yml")}, 30s, {"EDA_HTTP_PORT=nope"});
  CHECK(env.exit_code == 2);
  CHECK(env.err.find("--http-port") != std::string::npos);
}

TEST_CASE("operability: a port in use is a start-up error naming --http-port and the port") {
  running first;
  const std::string rb = first.dir.write("counted.yml", metrics_rulebook);
  first.pid = spawn_rulebook({"-r", rb, "--http-port", "0", "--http-host", "127.0.0.1", "-v"},
                             first.out, first.err);
  first.port = wait_http_port(first.err);
  REQUIRE(first.port > 0);
  const auto second = run_rulebook(
      {"-r", rb, "--http-port", std::to_string(first.port), "--http-host", "127.0.0.1"}, 20s);
  CHECK_FALSE(second.timed_out);
  CHECK(second.exit_code == 1);
  CHECK_MESSAGE(second.err.find("--http-port") != std::string::npos, second.err);
  CHECK_MESSAGE(second.err.find(std::to_string(first.port)) != std::string::npos, second.err);
  CHECK(first.stop().exit_code == 0);
}

TEST_CASE("operability: the shipped Prometheus rules, scrape config and HAProxy config are valid") {
  const auto rules =
      shell("promtool check rules " + quote(source_path("deploy/prometheus/rulebook-alerts.yml")));
  CHECK_MESSAGE(rules.exit_code == 0, rules.output);
  const auto tests = shell("promtool test rules " +
                           quote(source_path("deploy/prometheus/rulebook-alerts.test.yml")));
  CHECK_MESSAGE(tests.exit_code == 0, tests.output);
  const auto config =
      shell("promtool check config " + quote(source_path("deploy/prometheus/prometheus.yml")));
  CHECK_MESSAGE(config.exit_code == 0, config.output);
  const auto haproxy = shell("haproxy -c -f " + quote(source_path("deploy/haproxy/haproxy.cfg")));
  CHECK_MESSAGE(haproxy.exit_code == 0, haproxy.output);
}
