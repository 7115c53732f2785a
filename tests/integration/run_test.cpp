// Running rulebooks end to end: rule order, consumption, actions, audit records, exit codes.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

#include "harness.h"

using namespace rb::test;
using rb::value;

namespace {

std::string rulebook_with(const std::string& sources, const std::string& rules,
                          const std::string& extra = "") {
  return "---\n- name: rs\n  hosts: all\n" + extra + "  sources:\n" + sources + "  rules:\n" +
         rules;
}

const std::string range5 = "    - ansible.eda.range:\n        limit: 5\n";

}  // namespace

TEST_CASE("hello example runs and exits 0") {
  const auto r = run_rulebook({"-r", source_path("rulebooks/hello.yml")});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("Hello from rulebook") != std::string::npos);
}

TEST_CASE("first matching rule consumes the event; audit records have ansible's shape") {
  temp_dir dir;
  const auto rb = dir.write("r.yml", rulebook_with(range5,
                                                   "    - name: low\n"
                                                   "      condition: event.i < 2\n"
                                                   "      action:\n        none:\n"
                                                   "    - name: any\n"
                                                   "      condition: event.i is defined\n"
                                                   "      action:\n        none:\n"));
  const std::string audit = dir.path() + "/audit.jsonl";
  const auto r = run_rulebook({"-r", rb, "--audit-log", audit});
  REQUIRE(r.exit_code == 0);
  const auto recs = read_jsonl(audit);
  REQUIRE(recs.size() == 5);
  for (int i = 0; i < 5; ++i) {
    const value& rec = recs[i];
    CHECK(rec["type"] == "Action");
    CHECK(rec["action"] == "noop");
    CHECK(rec["ruleset"] == "rs");
    CHECK(rec["rule"] == (i < 2 ? "low" : "any"));
    CHECK(rec["status"] == "successful");
    CHECK(rec["matching_events"]["m"]["i"] == i);
    CHECK(rec["matching_events"]["m"]["meta"]["source"]["name"] == "ansible.eda.range");
    CHECK(rec["matching_events"]["m"]["meta"]["source"]["type"] == "ansible.eda.range");
    CHECK(rec["matching_events"]["m"]["meta"]["uuid"].get<std::string>().size() == 36);
    CHECK(rec["matching_events"]["m"]["meta"]["received_at"].get<std::string>().back() == 'Z');
    for (const char* key : {"action_uuid", "ruleset_uuid", "rule_uuid", "rule_run_at", "run_at"})
      CHECK_MESSAGE(rec.contains(key), key);
  }
}

TEST_CASE("match_multiple_rules fires every matching rule, in file order") {
  temp_dir dir;
  const auto rb = dir.write("r.yml", rulebook_with("    - range:\n        limit: 2\n",
                                                   "    - name: a\n"
                                                   "      condition: event.i >= 0\n"
                                                   "      action:\n        none:\n"
                                                   "    - name: b\n"
                                                   "      condition: event.i >= 0\n"
                                                   "      action:\n        none:\n",
                                                   "  match_multiple_rules: true\n"));
  const std::string audit = dir.path() + "/audit.jsonl";
  REQUIRE(run_rulebook({"-r", rb, "--audit-log", audit}).exit_code == 0);
  const auto recs = read_jsonl(audit);
  REQUIRE(recs.size() == 4);
  CHECK(recs[0]["rule"] == "a");
  CHECK(recs[1]["rule"] == "b");
  CHECK(recs[2]["rule"] == "a");
  CHECK(recs[3]["rule"] == "b");
}

TEST_CASE("print_event and debug write banners to stdout") {
  temp_dir dir;
  const auto rb = dir.write("r.yml", rulebook_with("    - range:\n        limit: 2\n",
                                                   "    - name: p\n"
                                                   "      condition: event.i == 0\n"
                                                   "      action:\n        print_event:\n"
                                                   "    - name: d\n"
                                                   "      condition: event.i == 1\n"
                                                   "      actions:\n"
                                                   "        - debug:\n            msg: [one, two]\n"
                                                   "        - debug:\n            var: event.i\n"));
  const auto r = run_rulebook({"-r", rb});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("[event]") != std::string::npos);
  CHECK(r.out.find("\"i\":0") != std::string::npos);
  CHECK(r.out.find("[debug]") != std::string::npos);
  CHECK(r.out.find("\none\n") != std::string::npos);
  CHECK(r.out.find("\ntwo\n") != std::string::npos);
  CHECK(r.out.find("event.i: 1") != std::string::npos);
}

TEST_CASE("--print-events prints every event received") {
  temp_dir dir;
  const auto rb = dir.write("r.yml", rulebook_with("    - range:\n        limit: 3\n",
                                                   "    - name: never\n"
                                                   "      condition: event.i == 99\n"
                                                   "      action:\n        none:\n"));
  const auto r = run_rulebook({"-r", rb, "--print-events"});
  REQUIRE(r.exit_code == 0);
  int lines = 0;
  for (char c : r.out) lines += c == '\n';
  CHECK(lines == 3);
  CHECK(r.out.find("\"i\":2") != std::string::npos);
}

TEST_CASE("vars from -e and -E are visible to conditions") {
  temp_dir dir;
  const auto vars = dir.write("vars.yml", "threshold: 3\n");
  const auto rb = dir.write("r.yml", rulebook_with(range5,
                                                   "    - name: big\n"
                                                   "      condition: event.i >= vars.threshold\n"
                                                   "      action:\n        none:\n"));
  const std::string audit = dir.path() + "/audit.jsonl";
  REQUIRE(run_rulebook({"-r", rb, "-e", vars, "--audit-log", audit}).exit_code == 0);
  CHECK(read_jsonl(audit).size() == 2);

  const auto missing = run_rulebook({"-r", rb});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("threshold") != std::string::npos);
}

TEST_CASE("a bad condition is reported with file, line, column and the rule's name") {
  temp_dir dir;
  const auto rb = dir.write("r.yml", rulebook_with(range5,
                                                   "    - name: broken rule\n"
                                                   "      condition: event.i == (1\n"
                                                   "      action:\n        none:\n"));
  const auto r = run_rulebook({"-r", rb});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("r.yml:9:") != std::string::npos);
  CHECK(r.err.find("broken rule") != std::string::npos);
}

TEST_CASE("an unknown source plugin exits 1 naming it") {
  temp_dir dir;
  const auto rb = dir.write("r.yml", rulebook_with("    - no_such_source:\n        a: 1\n",
                                                   "    - name: x\n"
                                                   "      condition: event.i == 1\n"
                                                   "      action:\n        none:\n"));
  const auto r = run_rulebook({"-r", rb});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("no_such_source") != std::string::npos);
  CHECK(r.err.find("r.yml:5:7:") != std::string::npos);
}

TEST_CASE("the shutdown action stops a never-ending source, exit 0") {
  temp_dir dir;
  const auto rb = dir.write(
      "r.yml", rulebook_with("    - generic:\n        payload: [{x: 1}]\n        loop_count: -1\n"
                             "        loop_delay: 0.01\n",
                             "    - name: stop\n"
                             "      condition: event.x == 1\n"
                             "      action:\n        shutdown:\n          message: done\n"));
  const std::string audit = dir.path() + "/audit.jsonl";
  const auto r = run_rulebook({"-r", rb, "--audit-log", audit}, std::chrono::seconds(20));
  CHECK_FALSE(r.timed_out);
  CHECK(r.exit_code == 0);
  const auto recs = read_jsonl(audit);
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]["action"] == "shutdown");
  CHECK(recs[0]["message"] == "done");
  CHECK(recs[0]["kind"] == "graceful");
}

// A signal at any moment, from the first instruction of main on, ends in the same graceful stop.
// The delays are counted from the moment the binary catches the signal, so none of them depends on
// how fast this machine starts it: a slow machine only moves where in start-up each one lands.
TEST_CASE("SIGTERM or SIGINT at any moment of start-up stops gracefully with exit 0") {
  temp_dir dir;
  const auto rb = dir.write(
      "r.yml", rulebook_with("    - generic:\n        payload: [{x: 1}]\n        loop_count: -1\n"
                             "        loop_delay: 0.01\n",
                             "    - name: r\n"
                             "      condition: event.x == 2\n"
                             "      action:\n        none:\n"));
  const std::string out = dir.path() + "/out", err = dir.path() + "/err";
  struct attempt {
    int signo;
    int delay_ms;
  };
  for (const attempt a :
       {attempt{SIGTERM, 0}, attempt{SIGTERM, 1}, attempt{SIGTERM, 5}, attempt{SIGTERM, 20},
        attempt{SIGTERM, 60}, attempt{SIGTERM, 150}, attempt{SIGTERM, 400}, attempt{SIGTERM, 1000},
        attempt{SIGINT, 0}, attempt{SIGINT, 30}, attempt{SIGINT, 300}}) {
    CAPTURE(a.signo);
    CAPTURE(a.delay_ms);
    const int pid = spawn_rulebook({"-r", rb, "-v"}, out, err);
    REQUIRE(wait_signal_caught(pid, a.signo));
    std::this_thread::sleep_for(std::chrono::milliseconds(a.delay_ms));
    kill(pid, a.signo);
    const auto r = wait_rulebook(pid, out, err, std::chrono::seconds(30));
    CAPTURE(r.err);
    CHECK_FALSE(r.timed_out);
    CHECK(r.signal == 0);
    CHECK(r.exit_code == 0);
    CHECK(r.err.find(a.signo == SIGTERM
                         ? "shutting down: terminated (SIGTERM)"
                         : "shutting down: interrupted (SIGINT)") != std::string::npos);
  }
}

// Start-up held open for as long as the test wants: the variables file is a FIFO, so the binary
// waits inside main, reading it, until the test writes. A SIGTERM sent then must not kill it.
TEST_CASE("SIGTERM while the rulebook's variables are still being read: graceful stop, exit 0") {
  temp_dir dir;
  const auto rb = dir.write(
      "r.yml", rulebook_with("    - generic:\n        payload: [{x: 1}]\n        loop_count: -1\n"
                             "        loop_delay: 0.01\n",
                             "    - name: r\n"
                             "      condition: event.x == vars.x\n"
                             "      action:\n        none:\n"));
  const std::string fifo = dir.path() + "/vars.yml";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const std::string out = dir.path() + "/out", err = dir.path() + "/err";
  const int pid = spawn_rulebook({"-r", rb, "-e", fifo, "-v"}, out, err);
  int writer = -1;  // opens once the binary has opened the FIFO to read it
  for (int i = 0; i < 20000 && writer < 0; ++i) {
    writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (writer < 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  REQUIRE(writer >= 0);
  kill(pid, SIGTERM);
  CHECK(wait_signal_delivered(pid, SIGTERM));  // without a handler: the process is gone
  const std::string vars = "x: 2\n";
  CHECK(::write(writer, vars.data(), vars.size()) == static_cast<ssize_t>(vars.size()));
  ::close(writer);
  const auto r = wait_rulebook(pid, out, err, std::chrono::seconds(30));
  CAPTURE(r.err);
  CHECK_FALSE(r.timed_out);
  CHECK(r.signal == 0);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("shutting down: terminated (SIGTERM)") != std::string::npos);
}

// A check that never gets an answer keeps the graceful stop waiting (shutdown delay 300 s); the
// second signal stops at once. Sent during start-up, the second signal stops it at once as well.
TEST_CASE("a second signal stops at once, during start-up or while a graceful stop waits") {
  temp_dir dir;
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(listener >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  REQUIRE(::listen(listener, 16) == 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/";
  const auto rb =
      dir.write("r.yml", rulebook_with("    - range:\n        limit: 1\n",
                                       "    - name: never answered\n"
                                       "      condition: event.i == 0\n"
                                       "      action:\n        http_check:\n          url: " +
                                           url + "\n          timeout: 300\n"));
  const std::string out = dir.path() + "/out", err = dir.path() + "/err";
  const std::vector<std::string> args = {"-r",
                                         rb,
                                         "-v",
                                         "--shutdown-delay",
                                         "300",
                                         "--heartbeat-store",
                                         "sqlite:" + dir.path() + "/hb.db"};

  SUBCASE("while the graceful stop waits for the check") {
    const int pid = spawn_rulebook(args, out, err);
    pollfd p{listener, POLLIN, 0};
    REQUIRE(::poll(&p, 1, 30000) == 1);  // the check connected: it is in flight
    const int conn = ::accept(listener, nullptr, nullptr);
    kill(pid, SIGTERM);
    for (int i = 0; i < 3000 && read_file(err).find("shutting down") == std::string::npos; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    REQUIRE(read_file(err).find("shutting down: terminated (SIGTERM)") != std::string::npos);
    kill(pid, SIGTERM);
    const auto r = wait_rulebook(pid, out, err, std::chrono::seconds(60));
    CAPTURE(r.err);
    CHECK_FALSE(r.timed_out);
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("second signal: stopping now") != std::string::npos);
    ::close(conn);
  }
  SUBCASE("both during start-up") {
    const int pid = spawn_rulebook(args, out, err);
    REQUIRE(wait_signal_caught(pid, SIGTERM));
    kill(pid, SIGTERM);
    REQUIRE(wait_signal_delivered(pid, SIGTERM));  // else the kernel merges the two
    kill(pid, SIGTERM);
    const auto r = wait_rulebook(pid, out, err, std::chrono::seconds(60));
    CAPTURE(r.err);
    CHECK_FALSE(r.timed_out);
    CHECK(r.signal == 0);
    // Caught by main's early handler (128 + 15) or, once the engine took over, its own path.
    const bool early =
        r.exit_code == 143 && r.err.find("second signal during start-up") != std::string::npos;
    const bool engine = r.err.find("second signal: stopping now") != std::string::npos;
    CHECK((early || engine));
  }
  ::close(listener);
}
