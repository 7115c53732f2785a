// Every error path: exact file:line:column and the words of the message.
#include <doctest/doctest.h>

#include "rulebook_test_util.h"

using rb::value;

TEST_CASE("YAML syntax errors carry yaml-cpp's mark, 1-based") {
  auto r = rbt::load("- name: x\n  hosts: [a, b\n");
  CHECK_ERROR(r, "3:1", "YAML syntax error", "end of sequence flow not found");
  CHECK(r.errors.size() == 1);  // no follow-on "empty rulebook"
  CHECK(r.model.rulesets.empty());
  r = rbt::load("- name: x\n  hosts: a: b\n");
  CHECK_ERROR(r, "2:11", "YAML syntax error", "illegal map value");
  // yaml-cpp ends the document silently at a stray ',' (and LoadAll would loop forever);
  // PyYAML reports "expected <block end>, but found ','" at the same place.
  r = rbt::load("- name: x\n  hosts: all\n  sources:\n,   - range:\n  rules: []\n");
  CHECK_ERROR(r, "4:1", "YAML syntax error", "unexpected ','");
  CHECK(r.errors.size() == 1);
  // yaml-cpp also lets a quoted scalar run to the end of the file.
  r = rbt::load("- name: x\n  hosts: all\n  \"sources: []\n  rules: []\n");
  CHECK_ERROR(r, "3:3", "YAML syntax error", "never closed");
  CHECK(r.errors.size() == 1);
  CHECK_OK(rbt::load("- name: 'it''s'\n  hosts: \"a\\\"b\"\n  sources: []\n  rules: []\n"));
}

namespace {

// A valid two-rule rulebook with line `n` (1-based) replaced: one indentation slip per test.
std::string with_line(int n, const std::string& replacement) {
  const char* lines[] = {
      "- name: rs",       "  hosts: all",   "  sources:",     "    - eda.builtin.range:",
      "        limit: 5", "  rules:",       "    - name: r1", "      condition: event.i == 1",
      "      action:",    "        debug:", "    - name: r2", "      condition: event.i == 2",
      "      action:",    "        debug:"};
  std::string out;
  for (int i = 1; i <= 14; ++i) out += (i == n ? replacement : lines[i - 1]) + std::string("\n");
  return out;
}

}  // namespace

TEST_CASE("YAML indentation slips are explained in words, not yaml-cpp's 'end of map not found'") {
  CHECK_OK(rbt::load(with_line(0, "")));
  // A list item a column left of its siblings.
  auto r = rbt::load(with_line(11, "   - name: r2"));
  CHECK_ERROR(r, "11:4", "YAML syntax error: this list item is indented less than the list it",
              "the list starts at line 7 with its items at column 5, this item is at column 4",
              "(yaml-cpp: end of map not found)");
  CHECK(r.errors.size() == 1);
  // ... and a column right of them.
  r = rbt::load(with_line(11, "     - name: r2"));
  CHECK_ERROR(r, "11:6", "this list item is indented more than the other items of its list",
              "the list starts at line 7 with its items at column 5, this item is at column 6",
              "(yaml-cpp: end of sequence not found)");
  CHECK(r.errors.size() == 1);
  // A rule written at the depth of the ruleset's keys.
  r = rbt::load(with_line(11, "  - name: r2"));
  CHECK_ERROR(r, "11:3",
              "this list item lines up with the keys of the mapping that starts at line 1 "
              "(column 3), not with the items of a list",
              "the list starts at line 7 with its items at column 5");
  CHECK(r.errors.size() == 1);
  // A key a column left of its siblings: inside a rule, and among the ruleset's keys.
  r = rbt::load(with_line(12, "     condition: event.i == 2"));
  CHECK_ERROR(r, "12:6", "this key is indented less than the other keys of its mapping",
              "the mapping starts at line 11 with its keys at column 7, this key is at column 6",
              "(yaml-cpp: end of sequence not found)");
  CHECK(r.errors.size() == 1);
  r = rbt::load(with_line(6, " rules:"));
  CHECK_ERROR(r, "6:2", "this key is indented less than the other keys of its mapping",
              "the mapping starts at line 1 with its keys at column 3");
  CHECK(r.errors.size() == 1);
  // A key a column right of its siblings continues the value above it (yaml-cpp points at ':').
  r = rbt::load(with_line(12, "       condition: event.i == 2"));
  CHECK_ERROR(r, "12:8", "this key is indented more than the other keys of its mapping",
              "the mapping starts at line 11 with its keys at column 7, this key is at column 8",
              "so YAML reads it as more of the value of 'name' on line 11",
              "(yaml-cpp: illegal map value)");
  CHECK(r.errors.size() == 1);
  r = rbt::load(with_line(6, "   rules:"));
  CHECK_ERROR(r, "6:4", "this key is indented more than the other keys of its mapping",
              "the mapping starts at line 1 with its keys at column 3");
  CHECK(r.errors.size() == 1);
}

TEST_CASE("YAML indentation: an action list item out of line, a key left of a ruleset's keys") {
  auto r = rbt::load(rbt::ruleset_with_rules(R"(    - name: r1
      condition: event.i == 1
      actions:
        - debug:
       - print_event:
)"));
  CHECK_ERROR(r, "11:8", "this list item is indented less than the list it belongs to",
              "the list starts at line 10 with its items at column 9");
  CHECK(r.errors.size() == 1);
  // yaml-cpp ends the document at a key in column 1, so this used to be "unexpected 'h'".
  r = rbt::load("- name: rs\nhosts: all\n");
  CHECK_ERROR(r, "2:1", "this key is indented less than the other keys of its mapping",
              "the mapping starts at line 1 with its keys at column 3, this key is at column 1");
  CHECK(r.errors.size() == 1);
}

TEST_CASE("YAML: tabs and a missing space after '-' or ':' are named") {
  auto r = rbt::load(with_line(11, "\t- name: r2"));  // yaml-cpp: "illegal block entry" at 11:2
  CHECK_ERROR(r, "11:1", "a tab is used to indent this line; YAML indents with spaces only");
  CHECK(r.errors.size() == 1);
  r = rbt::load(with_line(12, "    \t  condition: event.i == 2"));
  CHECK_ERROR(r, "12:5", "a tab is used to indent this line");
  r = rbt::load(with_line(11, "    -name: r2"));
  CHECK_ERROR(r, "11:5", "'-name' is not a list item",
              "a '-' starts a list item only when a space follows it (write '- name')");
  CHECK(r.errors.size() == 1);
  // The first rule: yaml-cpp trips only on the next line, the mistake is on this one.
  r = rbt::load(with_line(7, "    -name: r1"));
  CHECK_ERROR(r, "7:5", "'-name' is not a list item");
  CHECK(r.errors.size() == 1);
  // yaml-cpp reads `condition:event.i == 2` as text and fails at the ':' of the next line.
  r = rbt::load(with_line(12, "      condition:event.i == 2"));
  CHECK_ERROR(r, "12:16", "'condition:event.i == 2' is not a key and a value",
              "a ':' after a key needs a space after it (write 'condition: event.i == 2')");
  CHECK(r.errors.size() == 1);
  r = rbt::load(with_line(12, R"(      condition: event.msg == "a: b")"));
  CHECK_ERROR(r, "12:33", "the value of 'condition' contains ': '",
              "put the whole value in quotes");
  CHECK(r.errors.size() == 1);
}

TEST_CASE("the text must be UTF-8") {
  auto r = rbt::load("- name: caf\xc3\xa9\n  hosts: \"\xe0\xa4\xa8\xa4\"\n");
  CHECK_ERROR(r, "2:14", "not valid UTF-8");
  CHECK(r.errors.size() == 1);
}

TEST_CASE("the top level must be a non-empty list of rulesets, one document") {
  CHECK_ERROR(rbt::load(""), "1:1", "empty", "list of rulesets");
  CHECK_ERROR(rbt::load("# nothing\n"), "1:1", "empty");
  CHECK_ERROR(rbt::load("name: x\nhosts: all\n"), "1:1", "list of rulesets", "found a mapping",
              "'- '");
  CHECK_ERROR(rbt::load("[]\n"), "1:1", "no rulesets");
  CHECK_ERROR(rbt::load("- x\n"), "1:3", "expected a ruleset", "found a string");
  CHECK_ERROR(rbt::load("- name: a\n  hosts: all\n  sources: []\n  rules: []\n---\n- b\n"), "5:1",
              "single YAML document");
  CHECK_ERROR(rbt::load("- name: a\n  hosts: all\n  sources: []\n  rules: []\n...\n- b\n"), "6:1",
              "single YAML document");
}

TEST_CASE("ruleset keys: unknown, missing, wrong types") {
  auto r = rbt::load(R"(- nmae: typo
  hosts: {a: 1}
  gather_facts: "yes"
  match_multiple_rules: 1
  execution_strategy: random
  default_events_ttl: 2 hourz
  sources: {range: {}}
  rules: nope
)");
  CHECK_ERROR(r, "1:3", "unknown key 'nmae'", "did you mean 'name'", "allowed keys: name, hosts",
              "match_multiple_rules");
  CHECK_ERROR(r, "1:3", "missing required key 'name'");
  CHECK_ERROR(r, "2:10", "hosts: expected a string, found a mapping");
  CHECK_ERROR(r, "3:17", "gather_facts: expected a boolean", "found a string");
  CHECK_ERROR(r, "4:25", "match_multiple_rules: expected a boolean", "found an integer");
  CHECK_ERROR(r, "5:23", "execution_strategy", "'random'", "'sequential' or 'parallel'");
  CHECK_ERROR(r, "6:23", "default_events_ttl: invalid duration '2 hourz'",
              "second(s), minute(s), hour(s) or day(s)");
  CHECK_ERROR(r, "7:12", "sources: expected a list of sources, found a mapping");
  CHECK_ERROR(r, "8:10", "rules: expected a list of rules, found a string");
  CHECK(r.errors.size() == 9);
}

TEST_CASE("missing required ruleset keys point at the ruleset mapping") {
  auto r = rbt::load("- name: only name\n");
  CHECK_ERROR(r, "1:3", "missing required key 'hosts'", "ruleset 'only name'");
  CHECK_ERROR(r, "1:3", "missing required key 'sources'");
  CHECK_ERROR(r, "1:3", "missing required key 'rules'");
}

TEST_CASE("milliseconds are not a default_events_ttl unit; ints are not durations") {
  auto r = rbt::load(R"(- name: a
  hosts: all
  default_events_ttl: 500 milliseconds
  sources: []
  rules: []
- name: b
  hosts: all
  default_events_ttl: 7200
  sources: []
  rules: []
)");
  CHECK_ERROR(r, "3:23", "invalid duration '500 milliseconds'");
  CHECK_ERROR(r, "8:23", "default_events_ttl: expected a duration", "found an integer");
}

TEST_CASE("duplicate and empty ruleset names") {
  auto r = rbt::load(R"(- name: Same
  hosts: all
  sources: []
  rules: []
- name: " Same "
  hosts: all
  sources: []
  rules: []
- name: "  "
  hosts: all
  sources: []
  rules: []
)");
  CHECK_ERROR(r, "5:3", "duplicate ruleset name 'Same'", "first defined at line 1");
  CHECK_ERROR(r, "9:9", "ruleset name cannot be empty");
}

TEST_CASE("duplicate keys are reported") {
  auto r = rbt::load(rbt::ruleset_with_rules(R"(    - name: r1
      condition: event.i == 1
      action:
        debug:
      action:
        none:
)"));
  CHECK_ERROR(r, "11:7", "duplicate key 'action'");
  CHECK(r.errors.size() == 1);

  r = rbt::load(rbt::ruleset_with_rules(R"(    - name: r1
      condition: event.i == 1
      action:
        debug:
          msg: a
          msg: b
)"));
  CHECK_ERROR(r, "12:11", "duplicate key 'msg'");
  CHECK(r.errors.size() == 1);
}

TEST_CASE("sources: plugin key count, arg types, filters") {
  auto r = rbt::load(R"(- name: rs
  hosts: all
  sources:
    - name: nothing
    - range: {limit: 1}
      generic: {}
    - range: 5
    - name: 7
      range:
    - just a string
    - range:
      filters:
        - json_filter: {a: 1}
          other: {}
        - "noop"
        - dashes: [1]
    - range:
      filters: {noop: }
  rules: []
)");
  CHECK_ERROR(r, "4:7", "source has no plugin");
  CHECK_ERROR(r, "6:7", "more than one plugin key", "range, generic");
  CHECK_ERROR(r, "7:14", "source plugin 'range'", "mapping", "found an integer");
  CHECK_ERROR(r, "8:13", "name: expected a string, found an integer");
  CHECK_ERROR(r, "10:7", "expected a source", "found a string");
  CHECK_ERROR(r, "13:11", "exactly one key", "json_filter, other");
  CHECK_ERROR(r, "15:11", "expected a filter", "found a string");
  CHECK_ERROR(r, "16:19", "filter 'dashes'", "found a list");
  CHECK_ERROR(r, "18:16", "filters: expected a list of filters, found a mapping");
}

TEST_CASE("rules: keys, names, action/actions") {
  auto r = rbt::load(rbt::ruleset_with_rules(R"(    - name: r1
      condition: event.i == 1
      acton:
        debug:
    - condition: event.i == 1
      action:
        debug:
    - name: r1
      condition: event.i == 2
      action:
        debug:
    - name: both
      condition: event.i == 3
      action: {debug: }
      actions: [{debug: }]
    - name: "   "
      condition: event.i == 4
      action: {debug: }
    - name: [x]
      condition: event.i == 5
      actions: {debug: }
      enabled: "no"
    - name: no condition
      action: {debug: }
    - 42
)"));
  CHECK_ERROR(r, "9:7", "unknown key 'acton'", "did you mean 'action'",
              "allowed keys: name, condition, action, actions, enabled, throttle");
  CHECK_ERROR(r, "7:7", "rule 'r1' has no action", "'action:'", "'actions:'");
  CHECK_ERROR(r, "11:7", "missing required key 'name'");
  CHECK_ERROR(r, "14:7", "duplicate rule name 'r1'", "ruleset 'rs'", "first defined at line 7");
  CHECK_ERROR(r, "21:7", "both 'action' and 'actions'");
  CHECK_ERROR(r, "22:13", "rule name cannot be empty");
  CHECK_ERROR(r, "25:13", "name: expected a string, found a list");
  CHECK_ERROR(r, "27:16", "actions: expected a list of actions, found a mapping", "'action:'");
  CHECK_ERROR(r, "28:16", "enabled: expected a boolean", "found a string");
  CHECK_ERROR(r, "29:7", "missing required key 'condition'");
  CHECK_ERROR(r, "31:7", "expected a rule", "found an integer");
}

TEST_CASE("conditions: wrong shapes") {
  auto r = rbt::load(rbt::ruleset_with_rules(R"(    - name: c1
      condition: 42
      action: {none: }
    - name: c2
      condition:
      action: {none: }
    - name: c3
      condition: {}
      action: {none: }
    - name: c4
      condition:
        all: [event.i == 1]
        any: [event.i == 2]
      action: {none: }
    - name: c5
      condition:
        not_all:
          - event.i == 1
      action: {none: }
    - name: c6
      condition:
        any:
          - event.i == 1
        timeout: 5 seconds
      action: {none: }
    - name: c7
      condition:
        all:
          - event.i == 1
          - 3
          - {x: y}
        timeout: 5 secs
        when: now
      action: {none: }
    - name: c8
      condition:
        all: event.i == 1
      action: {none: }
    - name: c9
      condition: ""
      action: {none: }
    - name: c10
      condition:
        all: []
      action: {none: }
    - name: c11
      condition: [event.i == 1]
      action: {none: }
)"));
  CHECK_ERROR(r, "8:18", "condition: expected a condition", "found an integer");
  CHECK_ERROR(r, "11:7", "condition: expected a condition", "found null");
  CHECK_ERROR(r, "14:18", "needs one of all, any, not_all");
  CHECK_ERROR(r, "19:9", "only one of all, any, not_all");
  CHECK_ERROR(r, "23:9", "not_all requires a 'timeout'");
  CHECK_ERROR(r, "30:9", "'timeout' is allowed with all and not_all, not with any");
  CHECK_ERROR(r, "36:13", "all: expected each condition to be a string, found an integer");
  CHECK_ERROR(r, "37:13", "found a mapping");
  CHECK_ERROR(r, "38:18", "timeout: invalid duration '5 secs'", "millisecond(s)");
  CHECK_ERROR(r, "39:9", "unknown key 'when'", "allowed keys: all, any, not_all, timeout");
  CHECK_ERROR(r, "43:14", "all: expected a list of condition strings, found a string");
  CHECK_ERROR(r, "46:18", "rule 'c9': the condition is empty");
  CHECK_ERROR(r, "50:14", "the list of conditions is empty");
  CHECK_ERROR(r, "53:18", "condition: expected a condition", "found a list");
}

TEST_CASE("throttle errors") {
  auto r = rbt::load(rbt::ruleset_with_rules(R"(    - name: t1
      condition: event.i == 1
      action: {none: }
      throttle:
        once_within: 2 seconds
    - name: t2
      condition: event.i == 1
      action: {none: }
      throttle:
        once_within: 2 seconds
        once_after: 3 seconds
        group_by_attributes: [event.a]
    - name: t3
      condition: event.i == 1
      action: {none: }
      throttle:
        accumulate_within: 1 minute
        group_by_attributes: [event.a]
    - name: t4
      condition: event.i == 1
      action: {none: }
      throttle:
        accumulate_within: 1 minute
        threshold: 0
        group_by_attributes: [event.a, 5]
    - name: t5
      condition: event.i == 1
      action: {none: }
      throttle:
        group_by_attributes: event.a
        once_within: 2 fortnights
        max: 3
    - name: t6
      condition: event.i == 1
      action: {none: }
      throttle: 5 seconds
)"));
  CHECK_ERROR(r, "11:9", "missing required key 'group_by_attributes'", "throttle");
  CHECK_ERROR(r, "17:9", "only one of once_within, once_after, accumulate_within");
  CHECK_ERROR(r, "23:9", "accumulate_within requires 'threshold'");
  CHECK_ERROR(r, "30:20", "threshold: must be at least 1");
  CHECK_ERROR(r, "31:40", "group_by_attributes: expected each item to be a string",
              "found an integer");
  CHECK_ERROR(r, "36:30", "group_by_attributes: expected a list of strings, found a string");
  CHECK_ERROR(r, "37:22", "once_within: invalid duration '2 fortnights'");
  CHECK_ERROR(r, "38:9", "unknown key 'max'", "allowed keys: once_within, once_after");
  CHECK_ERROR(r, "42:17", "throttle: expected a mapping", "found a string");
  REQUIRE(r.model.rulesets.size() == 1);
  for (const auto& rule : r.model.rulesets[0].rules) CHECK_FALSE(rule.throttle);
}

TEST_CASE("actions: unknown, shape, arguments") {
  auto r = rbt::load(rbt::ruleset_with_rules(R"(    - name: a1
      condition: event.i == 1
      actions:
        - debugg:
        - debug
        - {debug: , print_event: }
        - run_playbook:
        - set_fact:
            ruleset: rs
        - print_event:
            pretty: "yes"
            var_root: 5
            colour: red
        - debug:
            msg: hi
            var: event.i
        - debug:
            msg: [a, 1]
        - shutdown:
            delay: soon
            kind: later
        - run_job_template:
            name: jt
            organization: 1
            delay: 1.5
            labels: x
        - run_module: "ping"
        - post_event:
            event: [1]
        - retract_fact:
            fact: {a: 1}
            partial: maybe
)"));
  CHECK_ERROR(
      r, "10:11", "unknown action 'debugg'", "did you mean 'debug'",
      "known actions: run_playbook, run_module, run_job_template, run_workflow_template, "
      "post_event, set_fact, retract_fact, print_event, print, debug, http_check, http_request, "
      "none, shutdown");
  CHECK_ERROR(r, "11:11", "expected an action", "found a string", "write 'debug:' with a colon");
  CHECK_ERROR(r, "12:11", "exactly one key", "debug, print_event", "'actions:'");
  CHECK_ERROR(r, "13:11", "run_playbook: expected a mapping of arguments", "required: name");
  CHECK_ERROR(r, "15:13", "set_fact: missing required argument 'fact'");
  CHECK_ERROR(r, "17:21", "print_event: argument 'pretty' expects a boolean, found a string");
  CHECK_ERROR(r, "18:23", "argument 'var_root' expects a string or a mapping, found an integer");
  CHECK_ERROR(r, "19:13", "print_event: unknown argument 'colour'",
              "allowed arguments: var_root, pretty");
  CHECK_ERROR(r, "22:13", "'msg' and 'var' are mutually exclusive");
  CHECK_ERROR(r, "24:18", "debug: argument 'msg' expects a string or a list of strings",
              "found a list");
  CHECK_ERROR(r, "26:20", "shutdown: argument 'delay' expects a number, found a string");
  CHECK_ERROR(r, "27:19", "'kind' must be 'graceful' or 'now'", "'later'");
  CHECK_ERROR(r, "30:27", "argument 'organization' expects a string, found an integer");
  CHECK_ERROR(r, "31:20", "argument 'delay' expects an integer, found a float");
  CHECK_ERROR(r, "32:21", "argument 'labels' expects a list of strings, found a string");
  CHECK_ERROR(r, "33:23", "run_module: expected a mapping of arguments, found a string");
  CHECK_ERROR(r, "35:20", "post_event: argument 'event' expects a mapping, found a list");
  CHECK_ERROR(r, "38:22", "argument 'partial' expects a boolean, found a string");
  CHECK(r.errors.size() == 18);
}

TEST_CASE("errors are collected across rulesets in one pass") {
  auto r = rbt::load(R"(- name: a
  hosts: all
  sources: []
  rules:
    - name: r
      condition: event.i == 1
      action: {nope: }
- name: b
  hosts: all
  sources: []
  rules:
    - name: r
      condition: event.i == 1
      action: {debug: {msg: 1}}
)");
  CHECK_ERROR(r, "7:16", "unknown action 'nope'");
  CHECK_ERROR(r, "14:29", "argument 'msg' expects", "found an integer");
  CHECK(r.errors.size() == 2);
}

TEST_CASE("diagnostics print as file:line:column: message") {
  rb::rulebook::diagnostic d{{"x.yml", 3, 7}, "boom"};
  CHECK(rb::rulebook::to_string(d) == "x.yml:3:7: boom");
  CHECK(rb::rulebook::to_string(rb::rulebook::position{"x.yml", 0, 0}) == "x.yml");
}
