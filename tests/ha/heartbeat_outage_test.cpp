// Heartbeats across a PostgreSQL outage, with the real binary: 100 monitors checked every second
// write through a TCP proxy that the test cuts (a blackhole: no error, no answer) and restores.
// Nothing is lost (every check executed has its row) and nothing is duplicated (one row per
// monitor and slot). RB_OUTAGE_SECONDS and RB_OUTAGE_MONITORS set the outage (default 20 s) and
// the checks per second (default 100); the issue's 60 s at 200 checks/s is run by hand.
#include <doctest/doctest.h>
#include <signal.h>

#include <cstdlib>
#include <thread>

#include "cluster.h"
#include "support/fault_proxy.h"
#include "support/http_server.h"

using namespace rb;
using namespace std::chrono_literals;

TEST_CASE("heartbeats: a PostgreSQL outage loses and duplicates nothing") {
  const char* env = std::getenv("RB_OUTAGE_SECONDS");
  const int outage_s = env ? std::atoi(env) : 20;
  const char* env_n = std::getenv("RB_OUTAGE_MONITORS");
  const int n = env_n ? std::atoi(env_n) : 100;
  test::pg_server pg;
  test::fault_proxy proxy("127.0.0.1", pg.port());
  test::http_server target;
  test::temp_dir dir;
  std::string monitors;
  for (int i = 0; i < n; ++i)
    monitors += "          - {name: m" + std::to_string(i) + ", url: '" + target.url("/ok") +
                "', interval: 1}\n";
  const std::string rulebook = dir.write("outage.yml", R"(
- name: outage
  hosts: all
  execution_strategy: parallel
  sources:
    - monitors:
        monitors:
)" + monitors + R"(
  rules:
    - name: check
      condition: event.monitor is defined
      action:
        http_check:
          post_events: false
)");
  const std::string store =
      "postgresql://rb:secret@127.0.0.1:" + std::to_string(proxy.port()) + "/rb";
  const std::string audit = dir.path() + "/audit.jsonl";
  const int pid =
      test::spawn_rulebook({"-r", rulebook, "--heartbeat-store", store, "--heartbeat-spool",
                            dir.path() + "/spool", "--audit-log", audit, "-m", "200", "-v"},
                           dir.path() + "/out", dir.path() + "/err");
  auto rows = [&] {
    if (pg.query("SELECT to_regclass('heartbeats') IS NULL")[0][0] == "t") return 0LL;
    return std::stoll(pg.query("SELECT count(*) FROM heartbeats")[0][0]);
  };
  REQUIRE(test::wait_until([&] { return rows() >= 3LL * n; }, 20s));
  proxy.blackhole();
  const long long before = rows();
  std::this_thread::sleep_for(std::chrono::seconds(outage_s));
  CHECK(rows() == before);  // nothing reached the server: the checks went on into the spool
  proxy.pass();
  std::this_thread::sleep_for(8s);
  ::kill(pid, SIGINT);
  const auto r = test::wait_rulebook(pid, dir.path() + "/out", dir.path() + "/err", 60s);
  INFO("stderr: " << r.err.substr(0, 4000));
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("(spooled)") != std::string::npos);

  long long executed = 0;
  for (const auto& rec : test::read_jsonl(audit))
    executed += rec.value("action", "") == "http_check" && rec.value("status", "") == "successful";
  const auto counts =
      pg.query("SELECT count(*), count(DISTINCT (monitor_name, scheduled_at)) FROM heartbeats");
  CHECK(executed >= 1LL * n * (outage_s + 5));  // checks went on through the outage
  CHECK(std::stoll(counts[0][0]) == executed);
  CHECK(std::stoll(counts[0][1]) == executed);
}
