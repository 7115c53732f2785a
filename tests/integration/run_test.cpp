// Running rulebooks end to end: rule order, consumption, actions, audit records, exit codes.
#include <doctest/doctest.h>
#include <signal.h>

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

TEST_CASE("SIGTERM stops gracefully with exit 0") {
  temp_dir dir;
  const auto rb = dir.write(
      "r.yml", rulebook_with("    - generic:\n        payload: [{x: 1}]\n        loop_count: -1\n"
                             "        loop_delay: 0.01\n",
                             "    - name: r\n"
                             "      condition: event.x == 2\n"
                             "      action:\n        none:\n"));
  const std::string out = dir.path() + "/out", err = dir.path() + "/err";
  const int pid = spawn_rulebook({"-r", rb, "-v"}, out, err);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  kill(pid, SIGTERM);
  const auto r = wait_rulebook(pid, out, err, std::chrono::seconds(10));
  CHECK_FALSE(r.timed_out);
  CHECK(r.exit_code == 0);
}
