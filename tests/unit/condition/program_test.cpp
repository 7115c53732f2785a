// Program metadata (assignment, referenced names, subject), vars at compile time, `{{ }}` in
// string literals, bound names, and a plain loop over many evaluations.
#include <doctest/doctest.h>

#include "condition_test_util.h"

namespace rc = rb::condition;
using rb::value;

TEST_CASE("<< records the assigned name; the text is kept") {
  const auto p = ct::compile_ok("events.first << event.i == 0");
  REQUIRE(p.assigned_name());
  CHECK(*p.assigned_name() == "first");
  CHECK(p.text() == "events.first << event.i == 0");
  CHECK(p.subject() == rc::subject_kind::event);
  const value e = value::parse(R"({"i": 0})");
  CHECK(p.matches({&e, {}, nullptr}));

  const auto f = ct::compile_ok("facts.name << fact.y > 2");
  CHECK(*f.assigned_name() == "name");
  CHECK(f.subject() == rc::subject_kind::fact);
  CHECK_FALSE(ct::compile_ok("event.i == 0").assigned_name());
}

TEST_CASE("referenced names: each events./facts. name once, in order") {
  const auto p = ct::compile_ok(
      "event.i == events.first.i + 2 and facts.cfg.x == events.first.j or events.m_1 is defined");
  const std::vector<std::string> want = {"first", "cfg", "m_1"};
  CHECK(p.referenced_names() == want);
  CHECK(ct::compile_ok("event.i == 1").referenced_names().empty());
}

TEST_CASE("bound names resolve by bare or prefixed name; absent ones never match") {
  const auto p = ct::compile_ok("event.i == events.first.i + 2");
  const value first = value::parse(R"({"i": 1})");
  const value e = value::parse(R"({"i": 3})");
  const rc::binding bare[] = {{"first", &first}};
  const rc::binding prefixed[] = {{"events.first", &first}};
  const rc::binding other[] = {{"second", &first}};
  const rc::binding null_ptr[] = {{"first", nullptr}};
  CHECK(p.matches({&e, bare, nullptr}));
  CHECK(p.matches({&e, prefixed, nullptr}));
  CHECK_FALSE(p.matches({&e, other, nullptr}));
  CHECK_FALSE(p.matches({&e, null_ptr, nullptr}));
  CHECK_FALSE(p.matches({&e, {}, nullptr}));
  const auto q = ct::compile_ok("event.i != events.first.i");
  CHECK_FALSE(q.matches({&e, {}, nullptr}));
  CHECK(q.matches({&e, bare, nullptr}));
}

TEST_CASE("fact. and event. cannot be mixed in one condition") {
  const auto e = ct::compile_err("event.i == 1 and fact.j == 2");
  CHECK(e.column == 18);
  CHECK(ct::contains_text(e.message, "either event. or fact."));
  CHECK(ct::compile_ok("fact.j == 2 and facts.x.y == 1").subject() == rc::subject_kind::fact);
}

TEST_CASE("vars are substituted at compile time, keeping their types") {
  const value vars = value::parse(
      R"({"n": 3, "s": "abc", "lst": ["WARNING", "ERROR"], "nested": {"k": [1, 2.5]},
          "b": true, "z": null})");
  CHECK(ct::match("event.i == vars.n", R"({"i": 3})", &vars));
  CHECK_FALSE(ct::match("event.i == vars.n", R"({"i": "3"})", &vars));
  CHECK(ct::match("event.level in vars.lst", R"({"level": "ERROR"})", &vars));
  CHECK(ct::match("vars.lst not contains 'INFO'", "{}", &vars));
  CHECK(ct::match("event.x == vars.nested.k[-1]", R"({"x": 2.5})", &vars));
  CHECK(ct::match("event.x == vars.nested['k'][0]", R"({"x": 1})", &vars));
  CHECK(ct::match("event.t == vars.b and event.z == vars.z", R"({"t": true, "z": null})", &vars));
  CHECK(ct::match("event.l is select('==', vars.n)", R"({"l": [1, 3]})", &vars));
}

TEST_CASE("a missing variable is a compile error naming it, at its column") {
  const value vars = value::parse(R"({"n": 3, "nested": {"k": 1}})");
  auto e = ct::compile_err("event.i == vars.x", &vars);
  CHECK(e.message == "undefined variable 'vars.x'");
  CHECK(e.column == 12);
  e = ct::compile_err("event.i == 1 and event.j in [1, vars.nested.q]", &vars);
  CHECK(e.message == "undefined variable 'vars.nested.q'");
  CHECK(e.column == 33);
  e = ct::compile_err("event.i == vars.n");
  CHECK(e.message == "undefined variable 'vars.n' (no variables were given)");
}

TEST_CASE("{{ }} in string literals is rendered from vars at compile time") {
  const value vars = value::parse(R"({"name": "fred", "n": 5, "person": {"age": 54}})");
  CHECK(ct::match("event.who == '{{ name }}'", R"({"who": "fred"})", &vars));
  CHECK(ct::match("event.n == '{{ n }}'", R"({"n": 5})", &vars));  // a lone {{ }} keeps its type
  CHECK(ct::match("event.s == 'hi {{ name }}, {{ person.age + 1 }}'", R"({"s": "hi fred, 55"})",
                  &vars));
  auto e = ct::compile_err("event.who == '{{ nobody }}'", &vars);
  CHECK(e.message == "undefined variable in '{{ nobody }}'");
  CHECK(e.column == 14);
  e = ct::compile_err("event.who == '{{ name | upper }}'", &vars);
  CHECK(ct::contains_text(e.message, "in '{{ name | upper }}': unexpected '|'"));
}

TEST_CASE("programs move and stay valid") {
  std::vector<rc::program> v;
  for (int i = 0; i < 20; ++i)
    v.push_back(ct::compile_ok("event.i == " + std::to_string(i) + " and event.s is match('a')"));
  const value e = value::parse(R"({"i": 7, "s": "abc"})");
  int hits = 0;
  for (const auto& p : v) hits += p.matches({&e, {}, nullptr});
  CHECK(hits == 1);
}

TEST_CASE("event.i is defined, 100000 times in a loop") {
  const auto p = ct::compile_ok("event.i is defined");
  value e = {{"i", 0}, {"meta", {{"source", {{"name", "range"}}}}}};
  std::size_t hits = 0;
  for (int i = 0; i < 100000; ++i) {
    e["i"] = i;
    hits += p.matches({&e, {}, nullptr});
  }
  CHECK(hits == 100000);
}

TEST_CASE("may_match: false only when no binding could make the condition hold") {
  auto may = [](const char* cond, const char* event) {
    const value e = value::parse(event);
    return ct::compile_ok(cond).may_match(e);
  };
  // Without bindings it is matches().
  CHECK(may("event.i == 1", R"({"i": 1})"));
  CHECK_FALSE(may("event.i == 1", R"({"i": 2})"));
  // The binding-free part decides when it fails.
  const char* join = R"(event.type == "b" and event.host == events.m_0.host)";
  CHECK(may(join, R"({"type": "b", "host": "h"})"));
  CHECK_FALSE(may(join, R"({"type": "c", "host": "h"})"));
  CHECK_FALSE(may(join, R"({"host": "h"})"));  // type missing: unknown, never true
  // A part reading a binding could be anything, also under `not` and `or`.
  CHECK(may("event.x == events.m_0.x", R"({"y": 1})"));
  CHECK(may("not (event.x == events.m_0.x)", R"({})"));
  CHECK(may(R"(event.t == "a" or event.x == events.m_0.x)", R"({"t": "z"})"));
  CHECK_FALSE(may(R"(event.t == "a" and not (event.x == events.m_0.x) and event.u > 3)",
                  R"({"t": "a", "u": 1})"));
  CHECK(may(R"(event.t == "a" and not (event.x == events.m_0.x) and event.u > 3)",
            R"({"t": "a", "u": 5})"));
  // The binding inside a list or a select still counts.
  CHECK(may("event.x in [1, events.m_0.x]", R"({"x": 7})"));
  CHECK_FALSE(may("event.x in [1, events.m_0.x] and event.k == 1", R"({"x": 7})"));
}

TEST_CASE("events.<name> / facts.<name> naming no bound name read the subject's own field") {
  const std::vector<std::string> bound = {"m_0", "first"};
  rc::compile_options opts;
  opts.bound_names = &bound;
  auto compiled = rc::compile("events.x.y == 7 and events.first.i == 1", opts);
  REQUIRE(std::holds_alternative<rc::program>(compiled));
  const auto& p = std::get<rc::program>(compiled);
  CHECK(p.referenced_names() == std::vector<std::string>{"first"});
  CHECK(p.subject() == rc::subject_kind::event);
  const value ev = value::parse(R"({"x": {"y": 7}})");
  const value first = value::parse(R"({"i": 1})");
  const rc::binding b[] = {{"first", &first}};
  CHECK(p.matches({&ev, b, nullptr}));

  // facts.<unbound> is the fact subject, which may not be mixed with event.
  auto f = rc::compile("facts.cfg.on == true", opts);
  REQUIRE(std::holds_alternative<rc::program>(f));
  CHECK(std::get<rc::program>(f).subject() == rc::subject_kind::fact);
  CHECK(std::get<rc::program>(f).referenced_names().empty());
  auto mixed = rc::compile("facts.cfg.on == true and event.i == 1", opts);
  CHECK(std::holds_alternative<rc::error>(mixed));

  // No bound names at all (a single condition): every prefix reads the subject.
  const std::vector<std::string> none;
  opts.bound_names = &none;
  auto single = rc::compile("events.m_0.x == 5", opts);
  REQUIRE(std::holds_alternative<rc::program>(single));
  const value e2 = value::parse(R"({"m_0": {"x": 5}})");
  CHECK(std::get<rc::program>(single).matches({&e2, {}, nullptr}));
}

TEST_CASE("assigned_name_of finds the << name without compiling") {
  CHECK(rc::assigned_name_of("events.first << event.i == 0") ==
        std::optional<std::string>("first"));
  CHECK(rc::assigned_name_of("facts.f << fact.i == 0") == std::optional<std::string>("f"));
  CHECK_FALSE(rc::assigned_name_of("event.i == 0"));
  CHECK_FALSE(rc::assigned_name_of("event.i == == 0"));
}
