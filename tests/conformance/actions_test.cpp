// Actions and their arguments: templating (types, names, facts of the firing, undefined names),
// var_root, debug's masking, template errors at start-up, several actions per rule.
#include "conformance.h"

using namespace conformance;

TEST_CASE("templating: types kept, vars, facts set earlier in the firing, undefined names fail") {
  const auto o = run("actions_templating.yml", {"-e", rulebook_path("actions_vars.yml")});
  REQUIRE(o.run.exit_code == 0);
  CHECK(o.actions() == strings{"single::set_fact", "single::debug", "single::post_event",
                               "single::debug", "single::debug", "typed::debug", "pairs::debug"});
  const auto recs = o.action_records();
  REQUIRE(recs.size() == 7);
  CHECK(o.out_has("\nHello World: next is 42 on web1\n"));
  // An undefined name is an action error: status failed, message, a log line naming the rule.
  CHECK(recs[3]["status"] == "failed");
  CHECK(recs[3]["message"] == "'event.missing' is undefined (in msg: {{ event.missing }})");
  CHECK(o.err_has("rule 'single': action 'debug' failed: 'event.missing' is undefined"));
  CHECK(recs[4]["status"] == "successful");
  CHECK(o.out_has("\nnobody, by default\n"));
  // `{{ fact.next }}` alone kept its type: the posted event matched `event.typed == 42`.
  CHECK(events_of(recs[5]) == value::parse(R"({"m": {"typed": 42}})"));
  CHECK(o.out_has("\nab\n"));
}

TEST_CASE("27 var_root: print_event and the audit record show the chosen parts") {
  const auto o = run("actions_var_root.yml");
  REQUIRE(o.run.exit_code == 0);
  CHECK(o.actions() == strings{"r1::print_event", "r1::print_event", "r2::print_event",
                               "r3::debug", "r3::post_event", "r4::print_event"});
  const auto recs = o.action_records();
  REQUIRE(recs.size() == 6);
  const value picked = value::parse(R"({
      "webhook": {"url": "http://www.example.com", "action": "merge"},
      "kafka": {"topic": "testing", "channel": "red"}})");
  CHECK(recs[0]["matching_events"] == picked);
  CHECK(recs[1]["matching_events"] == picked);
  CHECK(recs[2]["matching_events"] == value::parse(R"({"m": {"value": 7}})"));
  CHECK(o.out_has(picked.dump()));
  // debug and post_event (rulebook's extension): templates and records see the picked part.
  CHECK(o.out_has("\ndebug sees 9\n"));
  const value inner = value::parse(R"({"m": {"value": 9, "host": "h1"}})");
  CHECK(recs[3]["matching_events"] == inner);
  CHECK(recs[4]["matching_events"] == inner);
  CHECK(events_of(recs[5]) == value::parse(R"({"m": {"posted": "h1"}})"));
}

TEST_CASE("91 debug masks secret variables; other actions see the real values") {
  const auto o = run("actions_debug_mask.yml", {"-e", rulebook_path("actions_vars.yml")});
  REQUIRE(o.run.exit_code == 0);
  CHECK(o.actions() == strings{"Print::debug", "Print::debug", "Print::debug", "Print::post_event",
                               "Print::debug", "Print::debug", "Length::debug"});
  CHECK(o.out_has("\"controller_username\": \"admin\""));
  CHECK(o.out_has("\"controller_password\": \"******\""));
  CHECK(o.out_has("\"private_key\": \"******\""));
  CHECK(o.out_has("\"token\": \"******\""));
  CHECK(o.out_has("\"url\": \"http://example.com\""));
  CHECK(o.out_has("[debug: facts]"));
  CHECK(o.out_has("\nprivate_key: ******\n"));
  CHECK(o.out_has("\n****** ****** http://example.com\n"));
  CHECK_FALSE(o.out_has("dummy"));
  CHECK(o.out_has("the real password has 5 characters"));
  const auto recs = o.action_records();
  REQUIRE(recs.size() == 7);
  // `var: organization` is not defined: ansible-rulebook's message, plus the variables as debug
  // sees them (secrets masked), at the default verbosity.
  CHECK(recs[4]["status"] == "failed");
  const std::string listed =
      "; the variables are: count=41, name='World', controller_username='admin', "
      "controller_password='******', private_key='******', api={'token': '******', 'url': "
      "'http://example.com'}, event={";
  CHECK(recs[4]["message"].get<std::string>().rfind(
            "debug: Key organization not found in variable pool" + listed, 0) == 0);
  CHECK(o.err_has("action 'debug' failed: debug: Key organization not found in variable pool" +
                  listed));
  CHECK(recs[5]["message"].get<std::string>().rfind(
            "debug: Key api.secret not found in variable pool: 'api' has no key 'secret' (its "
            "keys: token, url); the variables are: count=41, ",
            0) == 0);
}

TEST_CASE("a template that does not compile stops the start with file:line:col and the rule") {
  const auto o = run("actions_bad_template.yml");
  CHECK(o.run.exit_code == 1);
  CHECK(o.records.empty());
  CHECK(
      o.err_has("actions_bad_template.yml:17:9: rule 'broken rule' in ruleset 'bad template': "
                "action 'debug': argument 'msg' (offset 13): unknown filter 'no_such_filter'"));
}

TEST_CASE("59 multiple actions: a rule's actions run in order, one record each") {
  const strings expected{"r1::debug", "r1::print_event", "r1::debug",
                         "r1::debug", "r2::debug",       "r3::noop"};
  for (const char* strategy : {"sequential", "parallel"}) {
    INFO(strategy);
    const auto o = run("actions_multiple.yml", {"--execution-strategy", strategy});
    REQUIRE(o.run.exit_code == 0);
    CHECK(o.actions() == expected);
    const auto recs = o.action_records();
    REQUIRE(recs.size() == 6);
    CHECK(recs[0]["rule_run_at"] == recs[3]["rule_run_at"]);
    CHECK(events_of(recs[5]) == value::parse(R"({"m": {"i": 3}})"));
    CHECK(o.out_has("Multiple Action Message1\n"));
    CHECK(o.out_has("[debug: kwargs]"));
  }
}

TEST_CASE("parallel with lock: each firing's actions in order, locks rendered per event") {
  for (const char* max : {"25", "1"}) {
    INFO("-m " << max);
    const auto o = run("actions_parallel.yml", {"-m", max});
    REQUIRE(o.run.exit_code == 0);
    CHECK(o.actions() == strings{"per host::debug", "per host::post_event", "per host::debug",
                                 "done::noop", "per host::debug", "per host::post_event",
                                 "per host::debug", "done::noop", "per host::debug",
                                 "per host::post_event", "per host::debug", "done::noop"});
    for (const auto& r : o.action_records()) CHECK(r["status"] == "successful");
    CHECK(o.out_has("\nfirst 0\n"));
    CHECK(o.out_has("\nlast 2\n"));
  }
}

TEST_CASE("Python methods in templates: strings, lists and dicts, with Python's errors") {
  const auto o = run("actions_methods.yml");
  REQUIRE(o.run.exit_code == 0);
  CHECK(o.actions() == strings{"report::debug", "report::post_event", "posted::debug",
                               "lookup fails::debug", "lookup fails::debug"});
  CHECK(o.out_has("\nWEB1\n"));
  CHECK(o.out_has("\ndb: 93.5%\n"));
  CHECK(o.out_has("\nteam, tier\n"));
  CHECK(o.out_has("\n3 tags, last c\n"));
  CHECK(o.out_has("\nWeb1-Example-Com\n"));
  CHECK(o.out_has("\nposted web1\n"));  // split, get's default and startswith built the event
  const auto recs = o.action_records();
  REQUIRE(recs.size() == 5);
  CHECK(recs[3]["status"] == "failed");
  CHECK(recs[3]["message"] ==
        "'event.labels.team' is undefined (in msg: {{ event.labels.team.upper() }})");
  CHECK(recs[4]["status"] == "failed");
  CHECK(recs[4]["message"] ==
        "method 'index': ValueError: 'silver' is not in list (in msg: {{ "
        "['gold'].index(event.labels.tier) }})");
  CHECK(o.err_has("rule 'lookup fails': action 'debug' failed: method 'index': ValueError"));
}

TEST_CASE("an unsupported method stops the start with file:line:col and the rule") {
  const auto o = run("actions_bad_method.yml");
  CHECK(o.run.exit_code == 1);
  CHECK(o.records.empty());
  CHECK(
      o.err_has("actions_bad_method.yml:12:9: rule 'broken rule' in ruleset 'bad method': "
                "action 'debug': argument 'msg' (offset 11): '__class__' is not allowed"));
}
