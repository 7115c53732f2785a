// {{ }} in source/filter args and rule names, rendered with --vars at load time.
#include "rulebook/templating.h"

#include <doctest/doctest.h>

#include "rulebook_test_util.h"

using rb::value;
using rb::rulebook::python_str;
using rb::rulebook::render_error;
using rb::rulebook::render_template;

namespace {
value render_ok(const std::string& text, const value& vars) {
  auto r = render_template(text, vars);
  if (auto* e = std::get_if<render_error>(&r)) {
    FAIL("unexpected error: " << e->message);
    return {};
  }
  return std::get<value>(r);
}
render_error render_bad(const std::string& text, const value& vars) {
  auto r = render_template(text, vars);
  REQUIRE(std::holds_alternative<render_error>(r));
  return std::get<render_error>(r);
}
}  // namespace

TEST_CASE("a lone {{ expr }} keeps the variable's type; mixed text interpolates") {
  const value vars = value::parse(
      R"({"n": 5, "f": 2.5, "b": true, "s": "x", "z": null, "o": {"k": [10, 20], "a b": 1},
          "l": [1, "two"]})");
  CHECK(render_ok("{{ n }}", vars) == 5);
  CHECK(render_ok("{{n}}", vars) == 5);
  CHECK(render_ok("{{ o.k }}", vars) == value::parse("[10, 20]"));
  CHECK(render_ok("{{ o.k.1 }}", vars) == 20);
  CHECK(render_ok("{{ o.k[-1] }}", vars) == 20);
  CHECK(render_ok("{{ o['a b'] }}", vars) == 1);
  CHECK(render_ok("{{ o[\"k\"][0] }}", vars) == 10);
  CHECK(render_ok("{{ z }}", vars).is_null());
  CHECK(render_ok("n={{ n }}", vars) == "n=5");
  CHECK(render_ok("{{ n }}{{ s }}", vars) == "5x");
  CHECK(render_ok(" {{ n }}", vars) == " 5");
  CHECK(render_ok("{{ b }}/{{ z }}/{{ f }}", vars) == "True/None/2.5");
  CHECK(render_ok("{{ l }}", vars) == value::parse(R"([1, "two"])"));
  CHECK(render_ok("l={{ l }}", vars) == "l=[1, 'two']");
  CHECK(render_ok("{{ o.k }} and {{ o }}", vars) == "[10, 20] and {'k': [10, 20], 'a b': 1}");
  // Only strings with both {{ and }} are templates.
  CHECK(render_ok("{{ not closed", vars) == "{{ not closed");
  CHECK(render_ok("plain", vars) == "plain");
}

TEST_CASE("template errors say what and where") {
  const value vars = value::parse(R"({"a": {"b": 1}, "l": [1]})");
  auto e = render_bad("x {{ missing }}", vars);
  CHECK(e.message.find("undefined variable 'missing'") != std::string::npos);
  CHECK(e.offset == 5);
  e = render_bad("{{ a.c }}", vars);
  CHECK(e.message.find("'a.c' is undefined") != std::string::npos);
  CHECK(e.message.find("'a' has no key c") != std::string::npos);
  e = render_bad("{{ l.3 }}", vars);
  CHECK(e.message.find("has no index 3") != std::string::npos);
  e = render_bad("{{ a.b | int }}", vars);
  CHECK(e.message.find("not supported yet") != std::string::npos);
  CHECK(e.offset == 7);
  e = render_bad("{{ a.b + 1 }}", vars);
  CHECK(e.message.find("only variable names") != std::string::npos);
  e = render_bad("{{ }}", vars);
  CHECK(e.message.find("empty") != std::string::npos);
  e = render_bad("{% if x %}{{ a }}", vars);
  CHECK(e.message.find("not supported yet") != std::string::npos);
  e = render_bad("}} {{ a", vars);
  CHECK(e.message.find("never closed") != std::string::npos);
}

TEST_CASE("python_str prints like Python's str()") {
  CHECK(python_str(value(true)) == "True");
  CHECK(python_str(value(nullptr)) == "None");
  CHECK(python_str(value(1.0)) == "1.0");
  CHECK(python_str(value(0.1)) == "0.1");
  CHECK(python_str(value(1e20)) == "1e+20");
  CHECK(python_str(value::parse(R"({"a": "it's"})")) == "{'a': \"it's\"}");
}

TEST_CASE("source and filter args are rendered with vars; the rest is left alone") {
  const value vars = value::parse(R"({"limit": 7, "host": "db1", "cfg": {"port": 5000}})");
  auto r = rbt::load(R"(- name: rs
  hosts: all
  sources:
    - name: "{{ host }} source"
      eda.builtin.range:
        limit: "{{ limit }}"
        label: "host {{ host }}"
        nested:
          - port: "{{ cfg.port }}"
      filters:
        - eda.builtin.json_filter:
            include_keys: ["{{ host }}"]
  rules:
    - name: "rule for {{ host }}"
      condition: event.i == vars.limit
      action:
        debug:
          msg: "{{ event.i }}"
)",
                     vars);
  CHECK_OK(r);
  const auto& rs = r.model.rulesets.at(0);
  const auto& src = rs.sources.at(0);
  CHECK(src.name == "{{ host }} source");  // ansible-rulebook does not render source names
  CHECK(src.args["limit"] == 7);
  CHECK(src.args["limit"].is_number_integer());
  CHECK(src.args["label"] == "host db1");
  CHECK(src.args["nested"][0]["port"] == 5000);
  CHECK(src.filters.at(0).args["include_keys"][0] == "db1");
  CHECK(rs.rules.at(0).name == "rule for db1");
  // Action args are rendered per firing, not now.
  CHECK(rs.rules.at(0).actions.at(0).args["msg"] == "{{ event.i }}");
  CHECK(rs.rules.at(0).condition.conditions.at(0).text == "event.i == vars.limit");
}

TEST_CASE("a missing variable is an error at the {{ inside the argument") {
  auto r = rbt::load(R"(- name: rs
  hosts: all
  sources:
    - eda.builtin.range:
        limit: "{{ nope }}"
        other: x {{ also.nope }}
        block: |
          {{ nope }}
        filt: "{{ a | int }}"
  rules: []
)",
                     value::parse(R"({"a": 1})"));
  CHECK_ERROR(r, "5:20", "source argument", "undefined variable 'nope'");
  CHECK_ERROR(r, "6:21", "undefined variable 'also'");
  CHECK_ERROR(r, "8:11", "undefined variable 'nope'");  // block: first content line
  CHECK_ERROR(r, "9:21", "Jinja filters", "not supported yet");
}

TEST_CASE("rule names render with vars; a missing one is an error") {
  auto r = rbt::load(rbt::ruleset_with_rules(R"(    - name: "Handle {{ svc.name }} alert"
      condition: event.i == 1
      action:
        debug:
    - name: "Restart {{ svc.name }} on {{ target }}"
      condition: event.i == 2
      action:
        debug:
)"),
                     value::parse(R"({"svc": {"name": "web"}})"));
  CHECK_ERROR(r, "11:43", "rule name", "undefined variable 'target'");
  REQUIRE(r.model.rulesets.at(0).rules.size() == 2);
  CHECK(r.model.rulesets[0].rules[0].name == "Handle web alert");
}
