// run_playbook and run_module with the real ansible-playbook (ansible-core from Debian) against
// localhost (`ansible_connection: local`, an inventory the test writes). One binary run covers
// most cases (the ruleset is parallel, so the playbooks overlap); the shutdown, no-inventory and
// no-ansible cases have their own runs.
#include <signal.h>

#include <chrono>
#include <thread>

#include "conformance.h"

using namespace conformance;
using namespace std::chrono_literals;

namespace {

std::string write_inventory(const rb::test::temp_dir& dir) {
  return dir.write("inventory.yml",
                   "all:\n  hosts:\n    localhost:\n      ansible_connection: local\n"
                   "      ansible_python_interpreter: /usr/bin/python3\n");
}

value record_of(const outcome& o, const std::string& rule) {
  for (const auto& r : o.action_records())
    if (r["rule"] == rule) return r;
  return nullptr;
}

// Whether a process whose command line holds `text` runs. The pattern's first character is a
// bracket expression so that the shell running pgrep does not match itself.
bool running(const std::string& text) {
  const std::string pattern = "[" + text.substr(0, 1) + "]" + text.substr(1);
  return rb::test::shell("pgrep -f " + rb::test::quote(pattern)).exit_code == 0;
}

// Variables of rulebooks/ansible_long.yml: where playbooks/long.yml says it started, how long
// its sleep is (a number no other process on the machine uses: pgrep finds it), the timeout.
std::string long_vars(const rb::test::temp_dir& dir, const std::string& sleep_seconds,
                      int timeout_seconds) {
  return dir.write("vars.json", R"({"marker": ")" + dir.path() + R"(/marker", "sleep_seconds": )" +
                                    sleep_seconds + R"(, "timeout_seconds": )" +
                                    std::to_string(timeout_seconds) + "}");
}

// One run of a rulebook that starts playbooks/long.yml, with an inventory.
struct long_run {
  rb::test::temp_dir dir;
  std::string sleep_seconds;
  outcome o;
  long_run(const std::string& rulebook, std::string sleep, int timeout_seconds)
      : sleep_seconds(std::move(sleep)) {
    const std::string inventory = write_inventory(dir);
    o = run(rulebook, {"-i", inventory, "-e", long_vars(dir, sleep_seconds, timeout_seconds)}, 40s);
  }
};

bool is_uuid(const value& v) {
  return v.is_string() && v.get<std::string>().size() == 36 && v.get<std::string>()[8] == '-';
}

}  // namespace

TEST_CASE("run_playbook / run_module: event to playbook, failures, results back, retries, json") {
  rb::test::temp_dir dir;
  const std::string inventory = write_inventory(dir);
  const std::string vars =
      dir.write("vars.json", R"({"out_dir": ")" + dir.path() + R"(", "greeting": "hello"})");
  const auto o = run("ansible_actions.yml", {"-i", inventory, "-e", vars, "-v"}, 90s);
  INFO("stderr: " << o.run.err);
  REQUIRE(o.run.exit_code == 0);

  // The playbook saw ansible_eda (ruleset, rule, event) and the rulebook's variables.
  CHECK(rb::test::read_file(dir.path() + "/written.txt") == "ansible|write|1|hello\n");
  const value write = record_of(o, "write");
  REQUIRE(write.is_object());
  CHECK(write["action"] == "run_playbook");
  CHECK(write["status"] == "successful");
  CHECK(write["rc"] == 0);
  CHECK(write["playbook_name"] == "write_event.yml");
  CHECK(is_uuid(write["job_id"]));
  CHECK(write["matching_events"]["m"]["i"] == 1);
  CHECK(write.contains("run_at"));
  // Its output went to the log, prefixed by the rule.
  CHECK(o.err_has("[write] TASK [write]"));

  // A failing playbook: failed record with its rc and the task's message; the engine went on.
  const value fail = record_of(o, "fail");
  REQUIRE(fail.is_object());
  CHECK(fail["status"] == "failed");
  CHECK(fail["rc"] == 2);
  CHECK(fail["message"].get<std::string>().find("failing on purpose for event 2") !=
        std::string::npos);

  // A playbook that does not exist: failed, named in the message and in the log with the rule.
  const value missing = record_of(o, "missing");
  REQUIRE(missing.is_object());
  CHECK(missing["status"] == "failed");
  CHECK(missing["message"].get<std::string>().find("could not find a playbook for "
                                                   "'playbooks/no_such_playbook.yml'") !=
        std::string::npos);
  CHECK(o.err_has("rule 'missing': action 'run_playbook' failed"));

  // run_module of ansible.builtin.command: its result came back as an event (post_events).
  const value module = record_of(o, "module");
  REQUIRE(module.is_object());
  CHECK(module["action"] == "run_module");
  CHECK(module["status"] == "successful");
  CHECK(module["playbook_name"] == "ansible.builtin.command");
  const value module_result = record_of(o, "module result");
  REQUIRE(module_result.is_object());
  CHECK(module_result["matching_events"]["m"]["rc"] == 0);
  CHECK(o.out_has("module result rc=0"));

  // An unknown module: failed, ansible's own message.
  const value unknown = record_of(o, "unknown module");
  REQUIRE(unknown.is_object());
  CHECK(unknown["status"] == "failed");
  CHECK(unknown["rc"] != 0);
  CHECK(unknown["message"].get<std::string>().find("couldn't resolve module/action") !=
        std::string::npos);

  // set_stats data came back as a fact (set_facts) that a second rule matched.
  CHECK(record_of(o, "stats")["status"] == "successful");
  CHECK(o.out_has("stats came back as a fact"));
  const value back = record_of(o, "stats came back");
  REQUIRE(back.is_object());
  CHECK(back["matching_events"]["m"]["stats_answer"] == "36");

  // Retries: three attempts (two failed), each after the 0.5 s delay; one record.
  const value retry = record_of(o, "retry");
  REQUIRE(retry.is_object());
  CHECK(retry["status"] == "successful");
  const std::string attempts = rb::test::read_file(dir.path() + "/attempts.txt");
  std::vector<double> stamps;
  for (std::size_t at = 0; at < attempts.size();) {
    const auto nl = attempts.find('\n', at);
    stamps.push_back(std::stod(attempts.substr(at, nl - at)));
    at = nl == std::string::npos ? attempts.size() : nl + 1;
  }
  REQUIRE(stamps.size() == 3);
  CHECK(stamps[1] - stamps[0] >= 0.5);
  CHECK(stamps[2] - stamps[1] >= 0.5);
  CHECK(o.err_has("Retry 2 of 3"));
  int retry_records = 0;
  for (const auto& r : o.action_records()) retry_records += r["rule"] == "retry";
  CHECK(retry_records == 1);

  // json_mode: the playbook's events as JSON lines on stdout, one of them its task's result.
  CHECK(rb::test::read_file(dir.path() + "/json.txt") == "ansible|json|8|hello\n");
  bool saw_ok = false;
  for (std::size_t at = 0; at < o.run.out.size();) {
    const auto nl = o.run.out.find('\n', at);
    const std::string line = o.run.out.substr(at, nl - at);
    at = nl == std::string::npos ? o.run.out.size() : nl + 1;
    if (line.empty() || line[0] != '{') continue;
    const value ev = value::parse(line, nullptr, false);
    if (ev.is_discarded()) continue;
    if (ev.value("event", "") == "runner_on_ok" && ev["event_data"].value("task", "") == "write")
      saw_ok = true;
  }
  CHECK(saw_ok);
}

TEST_CASE("run_playbook: a playbook needing hosts without -i fails clearly; the engine goes on") {
  rb::test::temp_dir dir;
  // ANSIBLE_INVENTORY unset: no inventory at all; `hosts: all` matches nothing.
  const auto o = run("ansible_long.yml", {"-e", long_vars(dir, "4245.125", 60)}, 30s);
  REQUIRE(o.run.exit_code == 0);
  const auto recs = o.action_records();
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]["status"] == "failed");
  CHECK(recs[0]["rc"] == 0);
  CHECK(recs[0]["message"].get<std::string>().find("no inventory was given") != std::string::npos);
  CHECK(o.err_has("rule 'long run': action 'run_playbook' failed"));
}

TEST_CASE("run_playbook: a collection's playbook by its ns.coll.name") {
  rb::test::temp_dir dir;
  const std::string inventory = write_inventory(dir);
  const std::string coll = dir.path() + "/collections/ansible_collections/rbtest/demo/playbooks";
  REQUIRE(rb::test::shell("mkdir -p " + rb::test::quote(coll)).exit_code == 0);
  dir.write("collections/ansible_collections/rbtest/demo/playbooks/hello.yml",
            "- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.copy:\n"
            "        dest: \"{{ out_file }}\"\n"
            "        content: \"collection|{{ ansible_eda.event.i }}\\n\"\n");
  const std::string rulebook = dir.write("fqcn.yml", R"(- name: fqcn
  hosts: all
  sources:
    - range:
        limit: 2
  rules:
    - name: collection playbook
      condition: event.i == 1
      action:
        run_playbook:
          name: rbtest.demo.hello
          extra_vars:
            out_file: )" + dir.path() + "/out.txt\n");
  const std::string audit = dir.path() + "/audit.jsonl";
  const auto r =
      rb::test::run_rulebook({"-r", rulebook, "-i", inventory, "--audit-log", audit}, 40s,
                             {"ANSIBLE_COLLECTIONS_PATH=" + dir.path() + "/collections"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(rb::test::read_file(dir.path() + "/out.txt") == "collection|1\n");
  const auto records = rb::test::read_jsonl(audit);
  REQUIRE(records.size() == 1);
  CHECK(records[0]["status"] == "successful");
  CHECK(records[0]["playbook_name"] == "rbtest.demo.hello");
}

TEST_CASE("run_playbook: without ansible-playbook on PATH the start fails, naming the rules") {
  rb::test::temp_dir dir;
  const std::string audit = dir.path() + "/audit.jsonl";
  const auto r =
      rb::test::run_rulebook({"-r", rulebook_path("ansible_actions.yml"), "--audit-log", audit},
                             20s, {"PATH=" + dir.path()});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("rule 'write' in ruleset 'ansible': action 'run_playbook': needs "
                   "'ansible-playbook', which is not on PATH") != std::string::npos);
  CHECK(r.err.find("rule 'module' in ruleset 'ansible': action 'run_module'") != std::string::npos);
}

TEST_CASE("run_playbook: SIGTERM while a playbook runs: cancelled record, no child left") {
  rb::test::temp_dir dir;
  const std::string inventory = write_inventory(dir);
  const std::string marker = dir.path() + "/marker";
  const std::string sleep_seconds = "4242.125";
  const std::string vars = long_vars(dir, sleep_seconds, 120);
  const std::string audit = dir.path() + "/audit.jsonl";
  const std::string out = dir.path() + "/out", err = dir.path() + "/err";
  const int pid =
      rb::test::spawn_rulebook({"-r", rulebook_path("ansible_long.yml"), "-i", inventory, "-e",
                                vars, "--audit-log", audit, "--shutdown-delay", "1", "-v"},
                               out, err);
  const auto started = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - started < 30s &&
         rb::test::shell("test -f " + rb::test::quote(marker)).exit_code != 0)
    std::this_thread::sleep_for(50ms);
  REQUIRE(rb::test::shell("test -f " + rb::test::quote(marker)).exit_code == 0);
  // The playbook reaches its sleep task (which also shows that running() can see it).
  while (std::chrono::steady_clock::now() - started < 30s && !running("sleep " + sleep_seconds))
    std::this_thread::sleep_for(50ms);
  CHECK(running("sleep " + sleep_seconds));
  ::kill(pid, SIGTERM);
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = rb::test::wait_rulebook(pid, out, err, 60s);
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 0);
  // The delay (1 s), then SIGTERM to the playbook (SIGKILL 5 s later): far from its long sleep.
  CHECK(std::chrono::steady_clock::now() - t0 < 30s);
  const auto records = rb::test::read_jsonl(audit);
  REQUIRE(records.size() == 1);
  CHECK(records[0]["action"] == "run_playbook");
  CHECK(records[0]["status"] == "cancelled");
  CHECK(records[0]["playbook_name"] == "long.yml");
  CHECK(is_uuid(records[0]["job_id"]));
  // Neither ansible-playbook nor the sleep it started survive.
  CHECK_FALSE(running("sleep " + sleep_seconds));
  CHECK_FALSE(running(vars));
}

TEST_CASE("run_playbook: timeout stops the playbook and records status timeout") {
  const long_run r("ansible_long.yml", "4243.125", 3);
  const auto& o = r.o;
  REQUIRE(o.run.exit_code == 0);
  const auto recs = o.action_records();
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]["status"] == "timeout");
  CHECK(recs[0]["message"].get<std::string>().find("timed out after 3s") != std::string::npos);
  CHECK_FALSE(running("sleep " + r.sleep_seconds));
}

TEST_CASE("run_playbook: shutdown kind now while a playbook runs: cancelled record, child gone") {
  const long_run r("ansible_shutdown_now.yml", "4244.125", 120);
  const auto& o = r.o;
  CHECK(o.run.exit_code == 0);
  // The playbook had started (its marker) before the shutdown came.
  CHECK(rb::test::shell("test -f " + rb::test::quote(r.dir.path() + "/marker")).exit_code == 0);
  const value stop = record_of(o, "stop");
  const value long_run = record_of(o, "long run");
  REQUIRE(stop.is_object());
  REQUIRE(long_run.is_object());
  CHECK(stop["action"] == "shutdown");
  CHECK(long_run["status"] == "cancelled");
  CHECK(long_run["rc"].is_null());
  CHECK_FALSE(running("sleep " + r.sleep_seconds));
}
