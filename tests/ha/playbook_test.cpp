// run_playbook under HA with the real ansible-playbook: only the trusted leader starts a run, its
// audit record carries the leader's worker id and epoch, and after a kill -9 the new leader runs
// the playbook in its own, higher epoch (the follower never ran one while it waited).
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <string>
#include <vector>

#include "ha/cluster.h"

using namespace rb;
using namespace std::chrono_literals;

namespace {

// The run_playbook records of one worker's audit log.
std::vector<value> playbook_records(const test::ha_worker& w) {
  std::vector<value> out;
  for (auto& r : test::read_jsonl(w.audit))
    if (r.value("action", "") == "run_playbook") out.push_back(std::move(r));
  return out;
}

}  // namespace

TEST_CASE("ha playbook: only the leader runs playbooks, each record in the leader's epoch") {
  test::temp_dir dir;
  const std::string inventory =
      dir.write("inventory.yml",
                "all:\n  hosts:\n    localhost:\n      ansible_connection: local\n"
                "      ansible_python_interpreter: /usr/bin/python3\n");
  const std::string runs = dir.path() + "/runs.txt";
  dir.write("append.yml", R"(- hosts: all
  gather_facts: false
  tasks:
    - ansible.builtin.shell: echo "{{ ansible_eda.rule }} {{ ansible_eda.event.counter }}" >> )" +
                              runs + "\n");
  // The run_playbook rule comes first: an event fires only the first rule it matches.
  const std::string rulebook = dir.write("playbook_ha.yml", R"(- name: ha playbook
  hosts: all
  sources:
    - example_ha_source:
        interval: 0.1
  rules:
    - name: run it
      condition: event.counter == 3
      action:
        run_playbook:
          name: )" + dir.path() + R"(/append.yml
    - name: tick
      condition: event.counter > 0
      action:
        debug:
          msg: tick
)");
  test::ha_pair t(rulebook, {"-i", inventory});

  auto first_run = [&] { return playbook_records(*t.leader); };
  REQUIRE_MESSAGE(test::wait_until([&] { return !first_run().empty(); }, 30s), t.leader->log());
  const value first = first_run()[0];
  CHECK(first["status"] == "successful");
  CHECK(first["worker_id"] == "worker-1");
  CHECK(first["ha_epoch"] == t.epoch);
  CHECK(playbook_records(*t.follower).empty());

  kill(t.leader->pid, SIGKILL);
  t.c.reap(*t.leader, 5s);
  REQUIRE_MESSAGE(test::wait_until([&] { return !playbook_records(*t.follower).empty(); }, 30s),
                  t.follower->log());
  const value second = playbook_records(*t.follower)[0];
  CHECK(second["status"] == "successful");
  CHECK(second["worker_id"] == "worker-2");
  CHECK(second["ha_epoch"].get<std::int64_t>() > t.epoch);
  CHECK(playbook_records(*t.leader).size() == 1);
  CHECK(test::read_file(runs) == "run it 3\nrun it 3\n");

  t.c.stop_all();
  for (const auto& p : t.c.history_problems()) FAIL_CHECK(p);
}
