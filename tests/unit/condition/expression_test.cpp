// compile_expression: values for templating; bare identifiers are variables from scope::vars.
#include <doctest/doctest.h>

#include "condition_test_util.h"

namespace rc = rb::condition;
using rb::value;

namespace {
rc::expression expr(std::string_view text, const value* compile_vars = nullptr) {
  rc::compile_options o;
  o.vars = compile_vars;
  auto r = rc::compile_expression(text, o);
  if (auto* e = std::get_if<rc::error>(&r)) {
    FAIL("compile_expression failed: " << e->message << " at " << e->column);
  }
  return std::move(std::get<rc::expression>(r));
}
}  // namespace

TEST_CASE("expressions evaluate to values") {
  const value vars = value::parse(R"({"i": 4, "foo": {"bar": [1, "two"]}, "s": "x"})");
  const value ev = value::parse(R"({"name": "fred", "n": 2})");
  const value m0 = value::parse(R"({"k": 9})");
  const rc::binding b[] = {{"m_0", &m0}};
  const rc::scope s{&ev, b, &vars};
  CHECK(*expr("i").evaluate(s) == 4);
  CHECK(*expr("i + 1").evaluate(s) == 5);
  CHECK(*expr("foo.bar[-1]").evaluate(s) == "two");
  CHECK(*expr("foo['bar'][0] * 10").evaluate(s) == 10);
  CHECK(*expr("event.name").evaluate(s) == "fred");
  CHECK(*expr("event.n + events.m_0.k").evaluate(s) == 11);
  CHECK(*expr("s + event.name").evaluate(s) == "xfred");
  CHECK(*expr("i > 3 and event.name == 'fred'").evaluate(s) == true);
  CHECK(*expr("i in [1, 4]").evaluate(s) == true);
  CHECK(*expr("[i, event.n]").evaluate(s) == value::parse("[4, 2]"));
  CHECK(*expr("'literal'").evaluate(s) == "literal");
  CHECK(*expr("event").evaluate(s) == ev);  // `{{ event }}`: the whole event
  CHECK(*expr("events").evaluate(s) == value::parse(R"({"m_0": {"k": 9}})"));
  CHECK(*expr("events.m_0").evaluate(s) == m0);
}

TEST_CASE("undefined references give nullopt") {
  const value vars = value::parse(R"({"i": 4})");
  const value ev = value::parse(R"({"name": "fred"})");
  const rc::scope s{&ev, {}, &vars};
  CHECK_FALSE(expr("nope").evaluate(s));
  CHECK_FALSE(expr("i + nope").evaluate(s));
  CHECK_FALSE(expr("event.missing").evaluate(s));
  CHECK_FALSE(expr("events.m_0").evaluate(s));
  CHECK_FALSE(expr("event.name == 3").evaluate(s));  // incompatible comparison has no value
  CHECK_FALSE(expr("i").evaluate(rc::scope{}));
}

TEST_CASE("vars. in expressions: compile time when given, else run time") {
  const value compile_vars = value::parse(R"({"x": 1})");
  const value run_vars = value::parse(R"({"x": 2})");
  const rc::scope s{nullptr, {}, &run_vars};
  CHECK(*expr("vars.x", &compile_vars).evaluate(s) == 1);
  CHECK(*expr("vars.x").evaluate(s) == 2);
  auto r = rc::compile_expression("vars.y", {&compile_vars});
  REQUIRE(std::holds_alternative<rc::error>(r));
  CHECK(std::get<rc::error>(r).message == "undefined variable 'vars.y'");
}

TEST_CASE("expression syntax errors") {
  auto r = rc::compile_expression("i +");
  REQUIRE(std::holds_alternative<rc::error>(r));
  CHECK(std::get<rc::error>(r).column == 4);
  r = rc::compile_expression("events.a << i");
  REQUIRE(std::holds_alternative<rc::error>(r));
  CHECK(std::get<rc::error>(r).message ==
        "'<<' may only follow events.<name> or facts.<name> at the start of a condition");
}
