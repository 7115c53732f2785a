// Valid rulebooks of every shape, modelled on ansible-rulebook's tests/examples.
#include <doctest/doctest.h>

#include "rulebook_test_util.h"

using namespace std::chrono_literals;
using rb::value;
using rb::rulebook::condition_spec;
using rb::rulebook::ruleset_spec;

TEST_CASE("hello world: range source, one rule, debug msg") {
  auto r = rbt::load(R"(---
- name: Hello
  hosts: all
  sources:
    - ansible.eda.range:
        limit: 5
  rules:
    - name: Say hello
      condition: event.i == 2
      action:
        debug:
          msg: Hello World!
)");
  CHECK_OK(r);
  CHECK(r.warnings.empty());
  REQUIRE(r.model.rulesets.size() == 1);
  const auto& rs = r.model.rulesets[0];
  CHECK(r.model.file == "rb.yml");
  CHECK(rs.name == "Hello");
  CHECK(rs.hosts == std::vector<std::string>{"all"});
  CHECK(rs.pos.line == 2);
  CHECK(rs.pos.column == 3);
  CHECK_FALSE(rs.gather_facts);
  CHECK(rs.default_events_ttl == 2h);
  CHECK_FALSE(rs.execution_strategy.has_value());
  CHECK_FALSE(rs.match_multiple_rules);
  REQUIRE(rs.sources.size() == 1);
  CHECK(rs.sources[0].plugin == "ansible.eda.range");
  CHECK(rs.sources[0].name == "ansible.eda.range");
  CHECK(rs.sources[0].args == value::parse(R"({"limit": 5})"));
  CHECK(rs.sources[0].pos.line == 5);
  REQUIRE(rs.rules.size() == 1);
  const auto& rule = rs.rules[0];
  CHECK(rule.name == "Say hello");
  CHECK(rule.enabled);
  CHECK_FALSE(rule.throttle);
  CHECK(rule.condition.type == condition_spec::kind::single);
  REQUIRE(rule.condition.conditions.size() == 1);
  CHECK(rule.condition.conditions[0].text == "event.i == 2");
  REQUIRE(rule.actions.size() == 1);
  CHECK(rule.actions[0].type == "debug");
  CHECK(rule.actions[0].args == value::parse(R"({"msg": "Hello World!"})"));
  CHECK(rule.actions[0].pos.line == 11);
  CHECK(rule.actions[0].pos.column == 9);
}

TEST_CASE("every ruleset option, named sources, filters, several rulesets") {
  auto r = rbt::load(R"(- name: First
  hosts: [web1, web2]
  gather_facts: false
  default_events_ttl: 3 hours
  execution_strategy: parallel
  match_multiple_rules: true
  sources:
    - name: gen
      eda.builtin.generic:
        payload:
          - b: true
          - i: 42
      filters:
        - eda.builtin.json_filter:
            include_keys: [key3, "f_use*"]
            exclude_keys: ["*"]
        - eda.builtin.dashes_to_underscores:
        - noop:
    - range:
        limit: 6
    - eda.builtin.webhook:
  rules:
    - name: r1
      condition: event.b
      action:
        print_event:
- name: Second
  hosts: localhost0, localhost1
  sources: []
  rules:
    - name: r1
      condition: event.i == 1
      action:
        none:
)");
  CHECK_OK(r);
  REQUIRE(r.model.rulesets.size() == 2);
  const auto& a = r.model.rulesets[0];
  CHECK(a.hosts == std::vector<std::string>{"web1", "web2"});
  CHECK_WARNING(r, "2:10", "hosts", "list");
  CHECK(a.default_events_ttl == 3h);
  CHECK(a.execution_strategy == ruleset_spec::strategy::parallel);
  CHECK(a.match_multiple_rules);
  REQUIRE(a.sources.size() == 3);
  CHECK(a.sources[0].name == "gen");
  CHECK(a.sources[0].plugin == "eda.builtin.generic");
  REQUIRE(a.sources[0].filters.size() == 3);
  CHECK(a.sources[0].filters[0].name == "eda.builtin.json_filter");
  CHECK(a.sources[0].filters[0].args["exclude_keys"] == value::parse(R"(["*"])"));
  CHECK(a.sources[0].filters[0].pos.line == 14);
  CHECK(a.sources[0].filters[1].args == value::object());
  CHECK(a.sources[0].filters[2].name == "noop");
  CHECK(a.sources[1].name == "range");
  CHECK(a.sources[2].args == value::object());
  const auto& b = r.model.rulesets[1];
  CHECK(b.hosts == std::vector<std::string>{"localhost0, localhost1"});
  CHECK(b.sources.empty());
  CHECK_WARNING(r, "29:12", "no sources");
  // Rule names need only be unique within a ruleset.
  CHECK(b.rules.at(0).name == "r1");
}

TEST_CASE("multi-conditions, timeouts, booleans") {
  auto r = rbt::load(rbt::ruleset_with_rules(R"(    - name: all with timeout
      condition:
        all:
          - events.first << event.i == 0
          - events.second << event.i == events.first.i + 1
        timeout: 10 seconds
      action:
        print_event:
    - name: any
      condition:
        any:
          - event.i == 1
          - event.j == 2
      action:
        debug:
    - name: maint failed
      condition:
        not_all:
          - event.alert.code == 1001
          - event.alert.code == 1002
        timeout: 500 milliseconds
      action:
        debug:
          msg: Not all conditions met
    - name: always
      condition: true
      action:
        none:
    - name: never
      condition: False
      action:
        none:
    - name: all without timeout
      condition:
        all:
          - event.i == 1
      action:
        none:
)"));
  CHECK_OK(r);
  const auto& rules = r.model.rulesets.at(0).rules;
  REQUIRE(rules.size() == 6);
  CHECK(rules[0].condition.type == condition_spec::kind::all);
  REQUIRE(rules[0].condition.conditions.size() == 2);
  CHECK(rules[0].condition.conditions[1].text == "events.second << event.i == events.first.i + 1");
  CHECK(rules[0].condition.timeout == 10s);
  CHECK(rules[1].condition.type == condition_spec::kind::any);
  CHECK_FALSE(rules[1].condition.timeout);
  CHECK(rules[2].condition.type == condition_spec::kind::not_all);
  CHECK(rules[2].condition.timeout == 500ms);
  CHECK(rules[3].condition.type == condition_spec::kind::boolean);
  CHECK(rules[3].condition.boolean_value);
  CHECK(rules[3].condition.conditions.empty());
  CHECK(rules[4].condition.type == condition_spec::kind::boolean);
  CHECK_FALSE(rules[4].condition.boolean_value);
  CHECK_FALSE(rules[5].condition.timeout);
}

TEST_CASE("throttles") {
  auto r = rbt::load(rbt::ruleset_with_rules(R"(    - name: within
      condition: event.level == "error"
      action:
        debug:
      throttle:
        once_within: 2 seconds
        group_by_attributes:
          - event.meta.hosts
          - event.alert.level
    - name: after
      condition: event.level == "error"
      action:
        debug:
      throttle:
        once_after: 5 minutes
        group_by_attributes: []
    - name: accumulate
      condition: event.level == 'error'
      throttle:
        accumulate_within: 1 minutes
        threshold: 3
        group_by_attributes:
          - event.level
      action:
        debug:
)"));
  CHECK_OK(r);
  const auto& rules = r.model.rulesets.at(0).rules;
  REQUIRE(rules.size() == 3);
  REQUIRE(rules[0].throttle);
  CHECK(rules[0].throttle->once_within == 2s);
  CHECK_FALSE(rules[0].throttle->once_after);
  CHECK(rules[0].throttle->group_by_attributes ==
        std::vector<std::string>{"event.meta.hosts", "event.alert.level"});
  REQUIRE(rules[1].throttle);
  CHECK(rules[1].throttle->once_after == 5min);
  CHECK(rules[1].throttle->group_by_attributes.empty());
  REQUIRE(rules[2].throttle);
  CHECK(rules[2].throttle->accumulate_within == 1min);
  CHECK(rules[2].throttle->threshold == 3);
}

TEST_CASE("every action with its arguments") {
  auto r = rbt::load(rbt::ruleset_with_rules(R"(    - name: all actions
      condition: event.i == 1
      actions:
        - run_playbook:
            name: playbooks/hello.yml
            copy_files: true
            post_events: true
            set_facts: false
            ruleset: rs
            verbosity: 2
            var_root: i
            json_mode: true
            retry: true
            retries: 3
            delay: 0.5
            extra_vars: {a: 1}
            lock: "{{ event.dc }}"
        - run_module:
            name: ansible.builtin.ping
            module_args: {data: pong}
            var_root: {webhook.payload: webhook}
        - run_module:
            name: ansible.builtin.shell
            module_args: "echo hi"
        - run_job_template:
            name: Fix My Datacenter
            organization: Default
            job_args: {limit: all}
            include_events: false
            delay: 5
            labels: [a, b]
            add_event_uuid_label: true
        - run_workflow_template:
            name: wf
            organization: Default
        - post_event:
            ruleset: rs
            event: {j: 4}
        - set_fact:
            fact: {myfact: "{{ event.i }}"}
        - retract_fact:
            fact: {j: 3}
            partial: false
        - print_event:
            pretty: true
            var_root: i
        - print_event:
        - debug:
        - debug:
            msg: [one, "two {{ event }}"]
        - debug:
            var: event.i
        - none:
        - none: {anything: goes}
        - shutdown:
            delay: 0.125
            message: Shutting down after 5 events
            kind: now
        - shutdown:
)"));
  CHECK_OK(r);
  const auto& actions = r.model.rulesets.at(0).rules.at(0).actions;
  std::vector<std::string> types;
  for (const auto& a : actions) types.push_back(a.type);
  CHECK(types == std::vector<std::string>{"run_playbook", "run_module", "run_module",
                                          "run_job_template", "run_workflow_template", "post_event",
                                          "set_fact", "retract_fact", "print_event", "print_event",
                                          "debug", "debug", "debug", "none", "none", "shutdown",
                                          "shutdown"});
  CHECK(actions[0].args["delay"] == 0.5);
  CHECK(actions[0].args["extra_vars"] == value::parse(R"({"a": 1})"));
  CHECK(actions[9].args == value::object());  // `print_event:` with nothing under it
  CHECK(actions[12].args["var"] == "event.i");
  CHECK(actions[15].args["kind"] == "now");
}

TEST_CASE("disabled rules stay in the model with enabled=false and a warning") {
  auto r = rbt::load(rbt::ruleset_with_rules(R"(    - name: switched off
      condition: event.i == 1
      enabled: false
      action:
        debug:
    - name: switched on
      condition: event.i == 2
      enabled: true
      action:
        debug:
)"));
  CHECK_OK(r);
  const auto& rules = r.model.rulesets.at(0).rules;
  REQUIRE(rules.size() == 2);
  CHECK_FALSE(rules[0].enabled);
  CHECK(rules[1].enabled);
  CHECK_WARNING(r, "7:7", "disabled");
}

TEST_CASE("a ruleset with no rules warns") {
  auto r = rbt::load(R"(- name: empty
  hosts: all
  sources:
    - range: {limit: 1}
  rules: []
)");
  CHECK_OK(r);
  CHECK_WARNING(r, "5:10", "no rules");
}

TEST_CASE("YAML 1.1 booleans bite: `name: off` is a boolean, as in ansible-rulebook") {
  auto r = rbt::load(rbt::ruleset_with_rules(R"(    - name: off
      condition: event.i == 1
      action: {none: }
)"));
  CHECK_ERROR(r, "7:13", "name: expected a string, found a boolean");
}

TEST_CASE("gather_facts: true is accepted with a warning that it is ignored") {
  auto r = rbt::load(R"(- name: facts
  hosts: all
  gather_facts: true
  sources:
    - range: {limit: 1}
  rules:
    - name: r
      condition: event.i == 0
      action:
        none:
)");
  CHECK_OK(r);
  CHECK(r.model.rulesets.at(0).gather_facts);
  CHECK_WARNING(r, "3:17", "gather_facts: true is not supported yet");
}
