// A webhook under HA with the real binary: a follower listens from start-up and answers 503 (so a
// load balancer sends the traffic to the leader); once it leads, it answers 200.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "cluster.h"
#include "harness.h"
#include "support/http_server.h"
#include "support/pg_server.h"

using namespace rb;
using namespace std::chrono_literals;

TEST_CASE("ha webhook: a follower answers 503, the leader 200; after a hand-over the new leader") {
  test::pg_server pg;
  test::temp_dir dir;
  struct worker {
    std::string id;
    unsigned short port;
    int pid = -1;
  };
  worker w[2] = {{"worker-1", test::closed_loopback_port()}, {"worker-2", 0}};
  w[1].port = test::closed_loopback_port();
  if (w[1].port == w[0].port) w[1].port = static_cast<unsigned short>(w[0].port + 1);
  auto start = [&](worker& x) {
    const std::string rb = dir.write(x.id + ".yml", R"(
- name: hooks
  hosts: all
  sources:
    - ansible.eda.webhook:
        host: 127.0.0.1
        port: )" + std::to_string(x.port) + R"(
  rules:
    - name: every event
      condition: event.meta is defined
      action:
        none:
)");
    x.pid = test::spawn_rulebook(
        {"-r", rb, "--ha-postgres-dsn", pg.dsn(), "--ha-uuid", "hooks", "--ha-worker-id", x.id,
         "--audit-log", dir.path() + "/" + x.id + ".jsonl"},
        dir.path() + "/" + x.id + ".out", dir.path() + "/" + x.id + ".err");
  };
  auto post = [&](const worker& x) {
    return test::curl("-d '{\"to\": \"" + x.id + "\"}' http://127.0.0.1:" + std::to_string(x.port) +
                      "/hook");
  };
  auto stop = [&](worker& x) {
    kill(x.pid, SIGTERM);
    const auto r = test::wait_rulebook(x.pid, dir.path() + "/" + x.id + ".out",
                                       dir.path() + "/" + x.id + ".err", 20s);
    CHECK(r.exit_code == 0);
  };
  start(w[0]);
  REQUIRE(
      test::wait_for_text(dir.path() + "/worker-1.err", "Successfully acquired leadership", 15s));
  start(w[1]);
  REQUIRE(test::wait_for_text(dir.path() + "/worker-2.err", "Another instance is active", 15s));
  // Listening from start-up; its start() is posted right after: wait until it serves.
  test::reply follower;
  for (int i = 0; i < 100; ++i) {
    follower = post(w[1]);
    if (follower.status != 0 && follower.body != "Not started") break;
    std::this_thread::sleep_for(50ms);
  }
  CHECK(follower.status == 503);
  CHECK(follower.body == "Not accepting events now; retry");
  CHECK(follower.headers.find("Retry-After: 1") != std::string::npos);
  CHECK(post(w[0]).status == 200);

  stop(w[0]);  // hands over: worker-2 leads
  REQUIRE(
      test::wait_for_text(dir.path() + "/worker-2.err", "Successfully acquired leadership", 15s));
  test::reply led;
  for (int i = 0; i < 100 && (led = post(w[1])).status != 200; ++i)
    std::this_thread::sleep_for(50ms);  // its state is restored before it accepts
  CHECK(led.status == 200);
  stop(w[1]);
  CHECK(test::read_jsonl(dir.path() + "/worker-1.jsonl").size() == 1);
  const auto recs = test::read_jsonl(dir.path() + "/worker-2.jsonl");
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]["matching_events"]["m"]["payload"]["to"] == "worker-2");
}
