// The example rulebooks docs/actions.md, docs/conditions.md and docs/filters.md show
// (rulebooks/actions_*.yml, rulebooks/rules_*.yml, rulebooks/filters_*.yml) run and do what the
// documentation says.
#include <algorithm>

#include "conformance.h"

using namespace conformance;

namespace {

outcome run_example(const std::string& name, std::vector<std::string> args = {}) {
  rb::test::temp_dir dir;
  const std::string audit = dir.path() + "/audit.jsonl";
  std::vector<std::string> all = {
      "-r", rb::test::source_path("rulebooks/" + name),         "--audit-log", audit,
      "-e", rb::test::source_path("rulebooks/actions_vars.yml")};
  all.insert(all.end(), args.begin(), args.end());
  outcome o;
  o.run = rb::test::run_rulebook(all, std::chrono::seconds(20));
  o.records = rb::test::read_jsonl(audit);
  INFO(name << " stderr: " << o.run.err);
  CHECK(o.run.exit_code == 0);
  return o;
}

}  // namespace

TEST_CASE("rulebooks/actions_debug.yml") {
  const auto o = run_example("actions_debug.yml");
  CHECK(o.out_has("\nHello operator, event 0 arrived\n"));
  CHECK(o.out_has("\nsecond line, i + 1 = 2\n"));
  CHECK(o.out_has("\nevent.i: 1\n"));
  CHECK(o.out_has("\"api_token\": \"******\""));
  CHECK(o.actions().size() == 4);
}

TEST_CASE("rulebooks/actions_print.yml") {
  const auto o = run_example("actions_print.yml");
  CHECK(o.run.out.rfind("Hello operator, event 0 arrived\n", 0) == 0);  // no banner before it
  // "YYYY-MM-DD HH:MM:SS " first, then the message.
  const auto at = o.run.out.find(" ALERT event 1\n");
  REQUIRE(at != std::string::npos);
  CHECK(at == std::string("Hello operator, event 0 arrived\n").size() + 19);
  CHECK(o.out_has(" second line\n"));
  CHECK(o.run.out.find("[debug]") == std::string::npos);
  CHECK(o.actions() == strings{"One line::print", "Lines with the time::print"});
}

TEST_CASE("rulebooks/actions_facts.yml") {
  const auto o = run_example("actions_facts.yml");
  CHECK(o.actions_with_ruleset() ==
        strings{"Facts::Maintenance starts::set_fact", "Facts::Alert during maintenance::debug",
                "Facts::Maintenance ends::retract_fact", "Facts::Alert::post_event",
                "Pager::Page::print_event"});
  CHECK(o.out_has("ignored during maintenance: disk full"));
  CHECK(
      o.out_has(R"({"page":"DISK FULL","meta":{"source":{"name":"post_event","type":"internal"})"));
}

TEST_CASE("rulebooks/actions_var_root.yml") {
  const auto o = run_example("actions_var_root.yml");
  CHECK(o.actions() == strings{"Both::print_event", "One::print_event"});
  CHECK(o.out_has(R"({"webhook":{"url":"http://example.com","action":"merge"},)"
                  R"("kafka":{"topic":"alerts","channel":"red"}})"));
  CHECK(o.out_has(R"({"url":"http://example.org","title":"docs"})"));
}

TEST_CASE("rulebooks/actions_shutdown.yml") {
  const auto o = run_example("actions_shutdown.yml");
  CHECK(o.actions() == strings{"Enough::shutdown", "Enough::debug"});
  CHECK(o.out_has("this still runs: the shutdown is graceful"));
}

TEST_CASE("rulebooks/actions_parallel.yml") {
  const auto o = run_example("actions_parallel.yml", {"-m", "4"});
  CHECK(o.actions().size() == 9);
  CHECK(o.out_has("remediating web2 (event 1)"));
}

TEST_CASE("rulebooks/rules_multi_event.yml") {
  const auto o = run_example("rules_multi_event.yml");
  CHECK(o.actions() == strings{"Maintenance cycle::debug", "Anything critical::print_event",
                               "Backup never finished::debug"});
  CHECK(o.out_has("web1 went through maintenance"));
  CHECK(o.out_has("a backup started and did not end within a second"));
}

TEST_CASE("rulebooks/rules_throttle.yml") {
  const auto o = run_example("rules_throttle.yml");
  CHECK(o.actions() == strings{"Warn once per host::debug", "Warn once per host::debug",
                               "Errors, every third::debug"});
  CHECK(o.out_has("third error on web1 (event 8)"));
}

TEST_CASE("rulebooks/rules_once_after.yml") {
  const auto o = run_example("rules_once_after.yml");
  CHECK(o.actions() == strings{"Summary::debug"});
  CHECK(o.out_has("warnings from web1 and web2"));
}

TEST_CASE("rulebooks/filters_json.yml") {
  const auto o = run_example("filters_json.yml");
  REQUIRE(o.actions() == strings{"Pull request opened::print_event"});
  CHECK(events_of(o.action_records()[0]) == value::parse(R"({"m": {
      "action": "opened", "number": 42,
      "pull_request": {"title": "Fix the flux capacitor",
                       "html_url": "https://github.com/org/repo/pull/42",
                       "user": {"login": "marty", "url": "https://api.github.com/users/marty"}}}})"));
  CHECK(o.out_has("\"html_url\": \"https://github.com/org/repo/pull/42\""));
  CHECK_FALSE(o.out_has("diff_url"));
}

TEST_CASE("rulebooks/filters_keys.yml") {
  const auto o = run_example("filters_keys.yml");
  CHECK(o.actions() == strings{"Disk full on a node::debug"});
  CHECK(o.out_has("\nnode-1 (i-0abc, app web)\n"));
}

TEST_CASE("rulebooks/filters_hosts.yml") {
  const auto o = run_example("filters_hosts.yml");
  REQUIRE(o.actions() == strings{"Alert with hosts::debug", "Alert without hosts::debug"});
  CHECK(o.action_records()[0]["matching_events"]["m"]["meta"]["hosts"] ==
        value::parse(R"(["web1", "web2"])"));
  CHECK(o.out_has("\nHighLoad on web1 and web2\n"));
  CHECK(o.out_has("\nHeartbeat: no hosts\n"));
  CHECK(o.err_has("does not contain alert.targets"));
}

TEST_CASE("rulebooks/filters_splitter.yml") {
  const auto o = run_example("filters_splitter.yml");
  CHECK(o.actions() == strings{"Disk full::debug", "High load::debug", "Disk full::debug"});
  CHECK(o.out_has("\ndisk full on db1 (receiver ops, eu-west)\n"));
  CHECK(o.out_has("\nhigh load on web1\n"));
  CHECK(o.out_has("\ndisk full on db2 (receiver ops, eu-west)\n"));
}

TEST_CASE("rulebooks/docs_facts.yml") {
  const auto o = run_example("docs_facts.yml");
  CHECK(o.actions() == strings{"Flags on::set_fact", "The fact matches an event. condition::debug",
                               "Outage in the beta::debug", "Other outage::debug",
                               "Outage in the beta::debug", "Flags off::retract_fact",
                               "Other outage::debug"});
  CHECK(o.out_has("\noutage for beta team blue (event 3)\n"));
  CHECK(o.out_has("\noutage for team blue (event 5), no beta flags apply\n"));
}

TEST_CASE("rulebooks/docs_match_multiple_rules.yml") {
  const auto o = run_example("docs_match_multiple_rules.yml");
  CHECK(o.actions_with_ruleset() == strings{"First match only::Any error::debug",
                                            "Every match::Any error::debug",
                                            "Every match::Anything from web1::debug"});
}

TEST_CASE("rulebooks/docs_none.yml") {
  const auto o = run_example("docs_none.yml");
  CHECK(o.actions() ==
        strings{"Ignore heartbeats::noop", "Anything else::debug", "Ignore heartbeats::noop"});
  CHECK(o.out_has("\nnot a heartbeat: disk full\n"));
}

TEST_CASE("rulebooks/docs_shutdown_now.yml") {
  const auto o = run_example("docs_shutdown_now.yml");
  const auto acts = o.actions_with_ruleset();
  REQUIRE_FALSE(acts.empty());
  CHECK(acts.back() == "Stopper::Stop now::shutdown");
  CHECK(std::count(acts.begin(), acts.end(), "Stopper::Stop now::shutdown") == 1);
  CHECK_FALSE(o.out_has("never printed"));
}

TEST_CASE("rulebooks/ansible_run_playbook.yml and ansible_run_module.yml (real ansible-playbook)") {
  const std::string inventory = rb::test::source_path("rulebooks/inventory.yml");
  const auto pb = run_example("ansible_run_playbook.yml", {"-i", inventory});
  CHECK(pb.actions() ==
        strings{"Run the playbook for event 1::run_playbook", "The playbook answered::debug"});
  CHECK(pb.out_has("\nthe playbook remediated host-1\n"));
  const auto mod = run_example("ansible_run_module.yml", {"-i", inventory});
  CHECK(mod.actions() == strings{"Ask the host its kernel::run_module", "Kernel known::debug"});
  CHECK(mod.out_has("\nthe host runs Linux (rc 0)\n"));
}
