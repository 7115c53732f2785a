// The HA command line end to end: usage errors, `rulebook ha status`, audit fields, no password
// in any output, a follower's clean SIGTERM, a pooler-free, writable server.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "cluster.h"
#include "harness.h"
#include "support/pg_server.h"

using namespace rb;
using namespace std::chrono_literals;

TEST_CASE("ha cli: usage errors name the flag and exit 2") {
  const std::string rb = test::source_path("rulebooks/hello.yml");
  auto r = test::run_rulebook({"-r", rb, "--ha-postgres-dsn", "postgresql://u:pw@h/db"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--ha-uuid") != std::string::npos);
  r = test::run_rulebook({"-r", rb, "--ha-uuid", "x"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--ha-postgres-dsn") != std::string::npos);
  r = test::run_rulebook({"-r", rb, "--ha-postgres-dsn", "postgresql://u:pw@h/db", "--ha-uuid", "x",
                          "--ha-poll-interval", "soon"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--ha-poll-interval") != std::string::npos);
  r = test::run_rulebook({"-r", rb, "--ha-postgres-dsn", "postgresql://u:pw@h/db", "--ha-uuid", "x",
                          "--ha-wait", "sometimes"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--ha-wait") != std::string::npos);
  r = test::run_rulebook(
      {"-r", rb, "--ha-postgres-dsn", "postgresql://u:hunter2@h/db?bogus=1", "--ha-uuid", "x"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--ha-postgres-dsn") != std::string::npos);
  CHECK(r.err.find("hunter2") == std::string::npos);
  r = test::run_rulebook({"ha", "status"});
  CHECK(r.exit_code == 2);
}

TEST_CASE(
    "ha cli: an unreachable server is retried, logged without the password, SIGTERM exits 0") {
  test::temp_dir dir;
  const int pid = test::spawn_rulebook(
      {"-r", test::source_path("tests/ha/ha.yml"), "--ha-postgres-dsn",
       "postgresql://eda:hunter2@127.0.0.1:1/eda", "--ha-uuid", "u1", "--ha-worker-id", "w1"},
      dir.path() + "/out", dir.path() + "/err");
  REQUIRE(test::wait_for_text(dir.path() + "/err", "cannot connect to PostgreSQL", 10s));
  kill(pid, SIGTERM);
  auto r = test::wait_rulebook(pid, dir.path() + "/out", dir.path() + "/err", 10s);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("eda@127.0.0.1:1/eda") != std::string::npos);
  CHECK(r.err.find("hunter2") == std::string::npos);
}

TEST_CASE("ha cli: ha status, audit fields, a follower stops cleanly") {
  test::pg_server pg;
  test::temp_dir dir;
  const std::string uuid = "status-test";
  auto status = [&](std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"ha",     "status",    "--ha-postgres-dsn",
                                     pg.dsn(), "--ha-uuid", uuid};
    args.insert(args.end(), extra.begin(), extra.end());
    return test::run_rulebook(args);
  };
  // Nobody has run yet.
  auto s = status();
  CHECK(s.exit_code == 1);
  CHECK(s.out.find("leader:  none") != std::string::npos);

  auto start = [&](const std::string& id) {
    return test::spawn_rulebook(
        {"-r", test::source_path("tests/ha/ha.yml"), "--ha-postgres-dsn", pg.dsn(), "--ha-uuid",
         uuid, "--ha-worker-id", id, "--audit-log", dir.path() + "/" + id + ".jsonl"},
        dir.path() + "/" + id + ".out", dir.path() + "/" + id + ".err");
  };
  const int w1 = start("worker-1");
  REQUIRE(
      test::wait_for_text(dir.path() + "/worker-1.err",
                          "Worker worker-1: Successfully acquired leadership (ha_uuid=status-test, "
                          "epoch=1)",
                          15s));
  const int w2 = start("worker-2");
  REQUIRE(test::wait_for_text(dir.path() + "/worker-2.err",
                              "Worker worker-2: Another instance is active. Waiting...", 15s));

  s = status();
  CHECK(s.exit_code == 0);
  CHECK(s.out.find("leader:  worker-1 (epoch 1") != std::string::npos);
  CHECK(s.out.find("worker-2") != std::string::npos);
  s = status({"--output", "json"});
  CHECK(s.exit_code == 0);
  const value j = value::parse(s.out);
  CHECK(j["leader"]["worker_id"] == "worker-1");
  CHECK(j["leader"]["epoch"] == 1);
  REQUIRE(j["waiting"].size() == 1);
  CHECK(j["waiting"][0]["worker_id"] == "worker-2");
  // Environment variables work as well as flags.
  auto e = test::run_rulebook({"ha", "status"}, std::chrono::seconds(30),
                              {"EDA_HA_POSTGRES_DSN=" + pg.dsn(), "EDA_HA_UUID=" + uuid});
  CHECK(e.exit_code == 0);

  // The follower stops at once and exits 0; the leader's records carry worker_id and ha_epoch.
  kill(w2, SIGTERM);
  auto r2 =
      test::wait_rulebook(w2, dir.path() + "/worker-2.out", dir.path() + "/worker-2.err", 10s);
  CHECK(r2.exit_code == 0);
  CHECK(test::read_jsonl(dir.path() + "/worker-2.jsonl").empty());
  kill(w1, SIGTERM);
  auto r1 =
      test::wait_rulebook(w1, dir.path() + "/worker-1.out", dir.path() + "/worker-1.err", 10s);
  CHECK(r1.exit_code == 0);
  const auto recs = test::read_jsonl(dir.path() + "/worker-1.jsonl");
  REQUIRE(!recs.empty());
  CHECK(recs[0]["worker_id"] == "worker-1");
  CHECK(recs[0]["ha_epoch"] == 1);
  CHECK(r1.err.find("secret") == std::string::npos);
  s = status();
  CHECK(s.exit_code == 1);
  CHECK(s.out.find("last: worker-1, epoch 1") != std::string::npos);
}

TEST_CASE("ha cli: scripts/worker1.sh and worker2.sh run a pair that hands over on SIGTERM") {
  test::pg_server pg;
  test::temp_dir dir;
  const std::vector<std::string> env = {"EDA_HA_POSTGRES_DSN=" + pg.dsn(),
                                        std::string("RULEBOOK_BIN=") + RB_BINARY,
                                        "HA_EXAMPLE=ticks"};
  auto start = [&](const std::string& n) {
    return test::spawn_program(test::source_path("scripts/worker" + n + ".sh"), {},
                               dir.path() + "/w" + n + ".out", dir.path() + "/w" + n + ".err", env);
  };
  const int w1 = start("1");
  REQUIRE(
      test::wait_for_text(dir.path() + "/w1.err", "Worker worker-1: Successfully acquired", 15s));
  const int w2 = start("2");
  REQUIRE(test::wait_for_text(dir.path() + "/w2.err", "Worker worker-2: Another instance is active",
                              15s));
  REQUIRE(test::wait_for_text(dir.path() + "/w1.out", "example_ha_source", 15s));
  kill(w1, SIGTERM);  // the script is the worker (exec)
  auto r1 = test::wait_rulebook(w1, dir.path() + "/w1.out", dir.path() + "/w1.err", 15s);
  CHECK(r1.exit_code == 0);
  REQUIRE(
      test::wait_for_text(dir.path() + "/w2.err", "Worker worker-2: Successfully acquired", 5s));
  REQUIRE(test::wait_for_text(dir.path() + "/w2.out", "example_ha_source", 5s));
  kill(w2, SIGTERM);
  auto r2 = test::wait_rulebook(w2, dir.path() + "/w2.out", dir.path() + "/w2.err", 15s);
  CHECK(r2.exit_code == 0);
}
