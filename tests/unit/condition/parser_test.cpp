// The parser: precedence and associativity (checked on the AST), paths, and every syntax error
// with its column.
#include <doctest/doctest.h>

#include "condition/parser.h"
#include "condition_test_util.h"

using namespace rb::condition;

namespace {

// A compact rendering of the AST to check grouping: (op a b).
std::string show(const ast_node& n) {
  auto kid = [&](std::size_t i) { return show(*n.children[i]); };
  switch (n.kind) {
    case ast_kind::literal: return n.literal.dump();
    case ast_kind::path: return n.spelling;
    case ast_kind::list: {
      std::string s = "[";
      for (std::size_t i = 0; i < n.children.size(); ++i) s += (i ? " " : "") + kid(i);
      return s + "]";
    }
    case ast_kind::negate: return "(not " + kid(0) + ")";
    case ast_kind::is_defined:
      return "(" + std::string(n.negated ? "undefined " : "defined ") + kid(0) + ")";
    case ast_kind::search: return "(" + std::string(n.negated ? "!re " : "re ") + kid(0) + " " + kid(1) + ")";
    case ast_kind::select:
    case ast_kind::selectattr:
      return "(" + std::string(n.negated ? "!sel " : "sel ") + kid(0) + " " + n.op_text + " " +
             kid(1) + ")";
    case ast_kind::logical:
    case ast_kind::binary: {
      static const char* names[] = {"and", "or", "==", "!=", "<", "<=", ">", ">=", "+",
                                    "-",   "*",  "/",  "in", "not in", "contains",
                                    "not contains"};
      return "(" + std::string(names[static_cast<int>(n.op)]) + " " + kid(0) + " " + kid(1) + ")";
    }
    case ast_kind::filter: {  // template expressions
      std::string s = "(|" + n.op_text;
      for (std::size_t i = 0; i < n.children.size(); ++i) s += " " + kid(i);
      return s + ")";
    }
    case ast_kind::subscript: return "(. " + kid(0) + " " + n.spelling + ")";
    case ast_kind::method_call: {  // template expressions
      std::string s = "(." + n.op_text;
      for (std::size_t i = 0; i < n.children.size(); ++i) s += " " + kid(i);
      return s + ")";
    }
  }
  return "?";
}

std::string tree(std::string_view text, parse_mode mode = parse_mode::condition) {
  return show(*parse(text, mode).root);
}

}  // namespace

TEST_CASE("and/or share one level and group left to right") {
  CHECK(tree("event.a or event.b and event.c") == "(and (or event.a event.b) event.c)");
  CHECK(tree("event.a and event.b or event.c") == "(or (and event.a event.b) event.c)");
  CHECK(tree("event.a or (event.b and event.c)") == "(or event.a (and event.b event.c))");
}

TEST_CASE("comparisons bind tighter than and/or; arithmetic tighter than comparisons") {
  CHECK(tree("event.a == 1 and event.b > 2") == "(and (== event.a 1) (> event.b 2))");
  CHECK(tree("event.a + 1 * 2 == 3") == "(== (+ event.a (* 1 2)) 3)");
  CHECK(tree("event.a - 1 - 2") == "(- (- event.a 1) 2)");
  CHECK(tree("event.a / 2 * 3") == "(* (/ event.a 2) 3)");
}

TEST_CASE("each comparison is its own level, as in ansible's pyparsing table") {
  // Tightest first: >=, <=, < >, !=, ==.
  CHECK(tree("event.a == event.b != event.c") == "(== event.a (!= event.b event.c))");
  CHECK(tree("event.a != event.b == event.c") == "(== (!= event.a event.b) event.c)");
  CHECK(tree("event.a < event.b >= event.c") == "(< event.a (>= event.b event.c))");
}

TEST_CASE("not applies to the whole comparison that follows it") {
  CHECK(tree("not event.a == 1") == "(not (== event.a 1))");
  CHECK(tree("not event.a in [1, 2]") == "(not (in event.a [1 2]))");
  CHECK(tree("not event.a == 1 and event.b") == "(and (not (== event.a 1)) event.b)");
  CHECK(tree("not not event.a") == "(not (not event.a))");
  CHECK(tree("event.a and not (event.b or event.c)") ==
        "(and event.a (not (or event.b event.c)))");
}

TEST_CASE("is binds looser than ==, in looser than is") {
  CHECK(tree("event.a is defined and event.b is not defined") ==
        "(and (defined event.a) (undefined event.b))");
  CHECK(tree("event.a + 1 is defined") == "(defined (+ event.a 1))");
  CHECK(tree("event.a in event.b is defined") == "(in event.a (defined event.b))");
}

TEST_CASE("membership keywords are case-insensitive; and/or/not/is are not") {
  CHECK(tree("event.a IN [1]") == "(in event.a [1])");
  CHECK(tree("event.a Not In [1]") == "(not in event.a [1])");
  CHECK(tree("event.a CONTAINS 1") == "(contains event.a 1)");
  CHECK(tree("event.a NOT contains 1") == "(not contains event.a 1)");
  auto e = ct::compile_err("event.a == 1 AND event.b == 2");
  CHECK(e.column == 14);
  CHECK(e.message == "unknown operator 'AND' (and, or, not, is are lowercase)");
}

TEST_CASE("literals") {
  CHECK(tree("42") == "42");
  CHECK(tree("-42") == "-42");
  CHECK(tree("-1.5e+2") == "-150.0");
  CHECK(tree("3.25") == "3.25");
  CHECK(tree("'single'") == "\"single\"");
  CHECK(tree("\"double\"") == "\"double\"");
  CHECK(tree("true") == "true");
  CHECK(tree("True") == "true");
  CHECK(tree("false") == "false");
  CHECK(tree("False") == "false");
  CHECK(tree("null") == "null");
  CHECK(tree("[1, \"a\", event.x]") == "[1 \"a\" event.x]");
  CHECK(tree("[]") == "[]");
  CHECK(tree("hello") == "\"hello\"");    // a bare word is a string (plain_string)
  CHECK(tree("TRUE") == "\"TRUE\"");      // only true/True/false/False are booleans
  CHECK(tree("event.a == -3") == "(== event.a -3)");
}

TEST_CASE("paths: dots, quoted keys, indexes incl. negative") {
  auto p = parse(R"(event.a["b c"]['d'][0][-1].e)", parse_mode::condition);
  const auto& n = *p.root;
  REQUIRE(n.kind == ast_kind::path);
  CHECK(n.origin == path_origin::event);
  REQUIRE(n.steps.size() == 6);
  CHECK(n.steps[0].key == "a");
  CHECK(n.steps[1].key == "b c");
  CHECK(n.steps[2].key == "d");
  CHECK(n.steps[3].index == 0);
  CHECK(n.steps[4].index == -1);
  CHECK(n.steps[5].key == "e");
  auto b = parse("events.m_0.x", parse_mode::condition);
  CHECK(b.root->origin == path_origin::events);
  CHECK(b.root->bound_name == "m_0");
  CHECK(b.root->steps.size() == 1);
  CHECK(parse("facts.first", parse_mode::condition).root->bound_name == "first");
  CHECK(parse("event['x']", parse_mode::condition).root->steps.at(0).key == "x");
  CHECK(parse("event.in", parse_mode::condition).root->steps.at(0).key == "in");
}

TEST_CASE("assignment is recorded and only allowed at the start") {
  auto p = parse("events.first << event.i == 1", parse_mode::condition);
  REQUIRE(p.assigned_name);
  CHECK(*p.assigned_name == "first");
  CHECK(p.assigned_origin == path_origin::events);
  CHECK(show(*p.root) == "(== event.i 1)");
  auto f = parse("facts.x << fact.y > 2", parse_mode::condition);
  CHECK(*f.assigned_name == "x");
  CHECK(f.assigned_origin == path_origin::facts);
}

TEST_CASE("syntax errors say what was expected and where") {
  struct cse {
    const char* text;
    std::size_t column;
    const char* message;
  };
  const cse cases[] = {
      {"", 1, "empty condition"},
      {"   ", 1, "empty condition"},
      {"(event.a == 1", 14, "expected ')' to close '(' opened at column 1, found end of condition"},
      {"x == (event.a == 1 2", 20,
       "expected ')' to close '(' opened at column 6, found '2'"},
      {"event.a == 1)", 13, "unexpected ')' without a matching '('"},
      {"event.a lik 1", 9, "unknown operator 'lik'"},
      {"event.a = 1", 9, "unknown operator '='; use '==' to compare"},
      {"event.a == 1 2", 14, "expected an operator, found '2'"},
      {"event.a ==", 11, "expected a value after '==', found end of condition"},
      {"event.a == 1 and", 17, "expected a value after 'and', found end of condition"},
      {"event.a == )", 12, "expected a value, found ')'"},
      {"event.a is", 11, "expected defined, match, search, regex, select or selectattr after 'is', found end of condition"},
      {"event.a is not foo", 16, "expected defined, match, search, regex, select or selectattr after 'is not', found 'foo'"},
      {"event. is defined", 7, "expected a field name after '.'"},
      {"event is defined", 1, "'event' must be followed by a field, e.g. event.name"},
      {"events.x.y << event.a == 1", 1, "the left side of '<<' must be events.<name> or facts.<name>, found 'events.x.y'"},
      {"event.first << event.a == 1", 1, "the left side of '<<' must be events.<name> or facts.<name>, found 'event.first'"},
      {"event.a == 1 << event.b", 14, "'<<' may only follow events.<name> or facts.<name> at the start of a condition"},
      {"events.a << event.b << event.c", 21, "only one '<<' assignment is allowed, at the start of the condition"},
      {"events.a <<", 12, "expected a condition after '<<'"},
      {"xyz.range.pi == 3.1415", 1, "a path must start with event., events., fact., facts. or vars. (found 'xyz.')"},
      {"foo[0] == 1", 1, "a path must start with event., events., fact., facts. or vars. (found 'foo[')"},
      {"event.a[1.5] == 1", 9, "expected a quoted key or an integer index inside '[ ]', found '1.5'"},
      {"event.a[0 == 1", 11, "expected ']' to close '[' opened at column 8, found '=='"},
      {"event.a == [1, 2", 17, "expected ',' or ']' in the list opened at column 12, found end of condition"},
      {"event.a == - event.b", 14, "'-' must be followed by a number, found 'event'"},
      {"event.a == not event.b", 12, "'not' negates a whole comparison; put it first or use parentheses: (not ...)"},
      {"and event.a", 1, "expected a value before 'and'"},
      {"event.a == ()", 13, "expected a value inside '( )'"},
      {"events[0] == 1", 1, "expected events.<name> (a name bound by an earlier condition or '<<')"},
      {"event.a is match", 17, "expected '(' after 'match', found end of condition"},
      {"event.a is match()", 18, "match() needs a pattern"},
      {"event.a is search('x', ignorecase=yes)", 35, "expected true or false for 'ignorecase', found 'yes'"},
      {"event.a is search('x', dotall=true)", 24, "unknown search option 'dotall'; expected ignorecase or multiline"},
      {"event.a is search('x', ignorecase true)", 35, "expected '=' after 'ignorecase', found 'true'"},
      {"event.a is regex('x' 'y')", 22, "expected ')' to close '(' opened at column 17, found the string \"y\""},
      {"event.a is select('foo', 1)", 19, "select operator 'foo' is not supported; expected one of ==, !=, >, >=, <, <=, regex, search, match"},
      {"event.a is select('in', [1])", 19, "select operator 'in' is not supported; expected one of ==, !=, >, >=, <, <=, regex, search, match"},
      {"event.a is not selectattr('k', 'cmp', 1)", 32, "selectattr operator 'cmp' is not supported; expected one of ==, !=, >, >=, <, <=, regex, search, match, in, not in, contains, not contains"},
      {"event.a is select(==, 1)", 19, "expected the operator of select(operator, value) as a quoted string, found '=='"},
      {"event.a is select('==')", 23, "select(operator, value) takes 2 arguments; expected ',', found ')'"},
      {"event.a is select('==', 1, 2)", 26, "select(operator, value) takes 2 arguments"},
      {"event.a is selectattr('', '==', 1)", 23, "the selectattr key must not be empty"},
  };
  for (const auto& c : cases) {
    const std::string text = c.text;
    CAPTURE(text);
    const auto e = ct::compile_err(c.text);
    CHECK(e.message == c.message);
    CHECK(e.column == c.column);
  }
}

TEST_CASE("deep nesting is an error, not a crash") {
  std::string deep(1000, '(');
  const auto e = ct::compile_err(deep + "1");
  CHECK(ct::contains_text(e.message, "nested too deeply"));
  std::string nots;
  for (int i = 0; i < 1000; ++i) nots += "not ";
  CHECK(ct::contains_text(ct::compile_err(nots + "true").message, "nested too deeply"));
}

TEST_CASE("templates: method calls take the last step of a path, chain with steps and filters") {
  const auto t = parse_mode::template_expression;
  CHECK(tree("event.host.split('.')", t) == "(.split event.host \".\")");
  CHECK(tree("event.host.split('.')[0].upper()", t) ==
        "(.upper (. (.split event.host \".\") (...)[0]))");
  CHECK(tree("'a,b'.split(',') | first", t) == "(|first (.split \"a,b\" \",\"))");
  CHECK(tree("x.y.get('k', d=1) + 1", t) == "(+ (.get x.y \"k\" 1) 1)");
}
