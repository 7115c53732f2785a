// Method calls in action-argument templates: `{{ x.split(',') }}` with Python's semantics.
// Expected values are what Python 3.11 gives for the same call (through Jinja2's
// NativeEnvironment: a rendered string that reads as a Python literal becomes that value).
#include "condition/template_methods.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <variant>

#include "condition/template.h"
#include "condition_test_util.h"

namespace rc = rb::condition;
using rb::value;

namespace {

const char* const ctx = R"({"event": {"host": "web1.example.com", "n": 7, "none": null,
  "d": {"k": "v", "n": 1}, "lst": [1, 2, 3], "words": "  a  b c ", "u": "héllo wörld"}})";

// Renders one template string against `ctx`.
value R(const std::string& text) {
  auto compiled = rc::compile_template(value(text));
  if (auto* e = std::get_if<rc::template_error>(&compiled)) {
    FAIL_CHECK("compile failed for " << text << ": " << e->message);
    return {};
  }
  auto r = std::get<rc::compiled_template>(compiled).render(value::parse(ctx));
  if (auto* e = std::get_if<std::string>(&r)) {
    FAIL_CHECK("render failed for " << text << ": " << *e);
    return {};
  }
  return std::get<value>(std::move(r));
}

value J(const char* json) { return value::parse(json); }

// The render error (or, for a template that names nothing, the compile error).
std::string E(const std::string& text) {
  auto compiled = rc::compile_template(value(text));
  if (auto* e = std::get_if<rc::template_error>(&compiled)) return e->message;
  auto r = std::get<rc::compiled_template>(compiled).render(value::parse(ctx));
  if (auto* e = std::get_if<std::string>(&r)) return *e;
  FAIL_CHECK("expected an error for " << text << ", got " << std::get<value>(r).dump());
  return {};
}

rc::template_error CE(const std::string& text) {
  auto compiled = rc::compile_template(value(text));
  if (auto* e = std::get_if<rc::template_error>(&compiled)) return *e;
  FAIL_CHECK("expected a compile error for " << text);
  return {};
}

}  // namespace

TEST_CASE("str.split and str.rsplit: whitespace runs, a separator, maxsplit") {
  CHECK(R("{{ 'a,b,,c'.split(',') }}") == J(R"(["a", "b", "", "c"])"));
  CHECK(R("{{ event.words.split() }}") == J(R"(["a", "b", "c"])"));
  CHECK(R("{{ event.words.split(None, 1) }}") == J(R"(["a", "b c "])"));
  CHECK(R("{{ event.words.split(maxsplit=1) }}") == J(R"(["a", "b c "])"));
  CHECK(R("{{ event.words.split(None, 0) }}") == J(R"(["a  b c "])"));
  CHECK(R("{{ event.words.rsplit(None, 1) }}") == J(R"(["  a  b", "c"])"));
  CHECK(R("{{ event.words.rsplit() }}") == J(R"(["a", "b", "c"])"));
  CHECK(R("{{ ''.split() }}") == J("[]"));
  CHECK(R("{{ ''.split(',') }}") == J(R"([""])"));
  CHECK(R("{{ 'a,b,c'.split(',', 1) }}") == J(R"(["a", "b,c"])"));
  CHECK(R("{{ 'a,b,c'.rsplit(',', 1) }}") == J(R"(["a,b", "c"])"));
  CHECK(R("{{ 'a::b::c'.rsplit(sep='::') }}") == J(R"(["a", "b", "c"])"));
  CHECK(R("{{ 'a,b'.split(',', -1) }}") == J(R"(["a", "b"])"));
  CHECK(R("{{ event.host.split('.')[0] }}") == "web1");
  CHECK(R("{{ event.host.split('.') | last }}") == "com");
  CHECK(E("{{ event.host.split('') }}") ==
        "method 'split': ValueError: empty separator "
        "(in {{ event.host.split('') }})");
  CHECK(ct::contains_text(E("{{ event.host.split(1) }}"),
                          "method 'split': TypeError: must be str or None, not int"));
  CHECK(ct::contains_text(E("{{ event.host.split('.', 'x') }}"),
                          "'str' object cannot be interpreted as an integer"));
}

TEST_CASE("str case methods: lower, upper, capitalize, title") {
  CHECK(R("{{ 'aBc dEF'.lower() }}") == "abc def");
  CHECK(R("{{ 'aBc dEF'.upper() }}") == "ABC DEF");
  CHECK(R("{{ 'aBc dEF'.capitalize() }}") == "Abc def");
  CHECK(R("{{ \"they're bill's friends\".title() }}") == "They'Re Bill'S Friends");
  CHECK(R("{{ 'hello world2x'.title() }}") == "Hello World2X");
  CHECK(R("{{ event.u.title() }}") == "Héllo Wörld");
  CHECK(R("{{ event.u.upper() }}") == "HÉLLO WÖRLD");
  CHECK(R("{{ 'straße'.upper() }}") == "STRASSE");
}

TEST_CASE("str.strip, lstrip, rstrip: whitespace or the given characters") {
  CHECK(R("{{ '  x \\n'.strip() }}") == "x");
  CHECK(R("{{ 'xxhixx'.strip('x') }}") == "hi");
  CHECK(R("{{ 'xxhixx'.lstrip('x') }}") == "hixx");
  CHECK(R("{{ 'xxhixx'.rstrip('x') }}") == "xxhi");
  CHECK(R("{{ 'www.example.com'.strip('cmowz.') }}") == "example");
  CHECK(R("{{ '  x'.strip(None) }}") == "x");
  CHECK(ct::contains_text(E("{{ event.host.strip(1) }}"), "strip arg must be None or str"));
}

TEST_CASE("str.replace, startswith, endswith, join") {
  CHECK(R("{{ 'aaa'.replace('a', 'b', 2) }}") == "bba");
  CHECK(R("{{ 'ab'.replace('', '-') }}") == "-a-b-");
  CHECK(R("{{ event.host.replace('.', '-') }}") == "web1-example-com");
  CHECK(ct::contains_text(E("{{ event.host.replace(1, 'b') }}"),
                          "replace() argument 1 must be str, not int"));
  CHECK(R("{{ 'hello'.startswith('he') }}") == true);
  CHECK(R("{{ 'hello'.startswith(['x', 'he']) }}") == true);
  CHECK(R("{{ 'hello'.startswith('l', 2) }}") == true);
  CHECK(R("{{ 'hello'.endswith('ll', 0, 4) }}") == true);
  CHECK(R("{{ 'hello'.endswith('lo', -2) }}") == true);
  CHECK(R("{{ 'abc'.startswith('', 3) }}") == true);
  CHECK(R("{{ 'abc'.startswith('', 4) }}") == false);
  CHECK(ct::contains_text(E("{{ event.host.startswith(1) }}"),
                          "startswith first arg must be str or a tuple of str, not int"));
  CHECK(R("{{ '-'.join(['a', 'b']) }}") == "a-b");
  CHECK(R("{{ ','.join(event.d) }}") == "k,n");
  CHECK(R("{{ '-'.join('abc') }}") == "a-b-c");
  CHECK(R("{{ '-'.join(event.host.split('.')) }}") == "web1-example-com");
  CHECK(ct::contains_text(E("{{ '-'.join(event.lst) }}"),
                          "TypeError: sequence item 0: expected str instance, int found"));
  CHECK(ct::contains_text(E("{{ '-'.join(event.n) }}"), "can only join an iterable"));
}

TEST_CASE("str.format: {} and numbered fields, keywords, escapes, format specs") {
  CHECK(R("{{ '{}-{}'.format('a', 'b') }}") == "a-b");
  CHECK(R("{{ '{1}{0}{1}'.format('a', 'b') }}") == "bab");
  CHECK(R("{{ '{name}!'.format(name=event.host) }}") == "web1.example.com!");
  CHECK(R("{{ '{{}} {}'.format('x') }}") == "{} x");
  CHECK(R("{{ '{0[k]}/{0[n]}'.format(event.d) }}") == "v/1");
  CHECK(R("{{ '{0[1]}'.format(event.lst) }}") == 2);  // "2", read back as a number
  CHECK(R("{{ '[{:>5}]'.format('ab') }}") == "[   ab]");
  CHECK(R("{{ '[{:^7}]'.format('ab') }}") == "[  ab   ]");
  CHECK(R("{{ '[{:*<4}]'.format(1) }}") == "[1***]");
  CHECK(R("{{ 'n={:05.2f}'.format(3.14159) }}") == "n=03.14");
  CHECK(R("{{ 'n={:,}'.format(1234567) }}") == "n=1,234,567");
  CHECK(R("{{ 'n={:_x}'.format(1234567) }}") == "n=12_d687");
  CHECK(R("{{ 'n={:#x} {:X} {:o} {:b}'.format(255, 255, 8, 5) }}") == "n=0xff FF 10 101");
  CHECK(R("{{ 'n={:+d} {: d} {:d}'.format(5, 5, -5) }}") == "n=+5  5 -5");
  CHECK(R("{{ 'n={:.3}'.format(1.0) }}") == "n=1.0");
  CHECK(R("{{ 'n={:.3}'.format(1234567.0) }}") == "n=1.23e+06");
  CHECK(R("{{ 'n={:g} {:e}'.format(0.00001, 12345.678) }}") == "n=1e-05 1.234568e+04");
  CHECK(R("{{ 'n={:.2%}'.format(0.25) }}") == "n=25.00%");
  CHECK(R("{{ 'n={}'.format(1.5) }}") == "n=1.5");
  CHECK(R("{{ 'n={:-^9.1f}'.format(-2.25) }}") == "n=---2.2---");
  CHECK(R("{{ 'n={:08.3f}'.format(-3.5) }}") == "n=-003.500");
  CHECK(R("{{ 'n={:.2f}'.format(3) }}") == "n=3.00");
  CHECK(R("{{ 'n={:>3}'.format(true) }}") == "n=  1");
  CHECK(R("{{ '{} {}'.format(true, none) }}") == "True None");
  CHECK(R("{{ '{!r} {!s}'.format('a', 'b') }}") == "'a' b");
  CHECK(R("{{ '[{:.2}]'.format('abc') }}") == "[ab]");
  CHECK(R("{{ '[{:05}]'.format('ab') }}") == "[ab000]");
  CHECK(R("{{ '{:{}}|'.format('a', 3) }}") == "a  |");
  CHECK(R("{{ '{}'.format(event.lst) }}") == J("[1, 2, 3]"));

  CHECK(ct::contains_text(E("{{ '{}{1}'.format(event.n, 2) }}"),
                          "method 'format': ValueError: cannot switch from automatic field "
                          "numbering to manual field specification"));
  CHECK(
      ct::contains_text(E("{{ '{2}'.format(event.n) }}"),
                        "IndexError: Replacement index 2 out of range for positional args tuple"));
  CHECK(ct::contains_text(E("{{ '{x}'.format(event.n) }}"), "KeyError: 'x'"));
  CHECK(ct::contains_text(E("{{ '}'.format(event.n) }}"),
                          "ValueError: Single '}' encountered in format string"));
  CHECK(ct::contains_text(E("{{ '{'.format(event.n) }}"),
                          "ValueError: Single '{' encountered in format string"));
  CHECK(ct::contains_text(E("{{ '{0'.format(event.n) }}"),
                          "ValueError: expected '}' before end of string"));
  CHECK(ct::contains_text(E("{{ '{:d}'.format(event.host) }}"),
                          "ValueError: Unknown format code 'd' for object of type 'str'"));
  CHECK(ct::contains_text(E("{{ '{:.2d}'.format(event.n) }}"),
                          "Precision not allowed in integer format specifier"));
  CHECK(ct::contains_text(E("{{ '{0.k}'.format(event.d) }}"),
                          "AttributeError: 'dict' object has no attribute 'k'"));
  CHECK(ct::contains_text(E("{{ '{:>5}'.format(event.lst) }}"),
                          "TypeError: unsupported format string passed to list.__format__"));
}

TEST_CASE("str.count, find, index and list.count, index: Python's positions and errors") {
  CHECK(R("{{ 'banana'.count('a') }}") == 3);
  CHECK(R("{{ 'banana'.count('an', 2) }}") == 1);
  CHECK(R("{{ 'abc'.count('') }}") == 4);
  CHECK(R("{{ 'abc'.count('', 2, 1) }}") == 0);
  CHECK(R("{{ 'hello'.find('l') }}") == 2);
  CHECK(R("{{ 'hello'.find('z') }}") == -1);
  CHECK(R("{{ 'hello'.find('l', 3) }}") == 3);
  CHECK(R("{{ 'hello'.find('l', -2) }}") == 3);
  CHECK(R("{{ 'hello'.find('', 10) }}") == -1);
  CHECK(R("{{ event.u.find('l') }}") == 2);  // code points, not bytes
  CHECK(R("{{ 'hello'.index('e') }}") == 1);
  CHECK(E("{{ event.host.index('z') }}") ==
        "method 'index': ValueError: substring not found (in {{ event.host.index('z') }})");
  CHECK(R("{{ [1, 1.0, true, 2].count(1) }}") == 3);
  CHECK(R("{{ event.lst.index(2) }}") == 1);
  CHECK(R("{{ ['a', 'b', 'a'].index('a', 1) }}") == 2);
  CHECK(R("{{ ['a', 'b'].index('b', -1) }}") == 1);
  CHECK(E("{{ event.lst.index(4) }}") ==
        "method 'index': ValueError: 4 is not in list (in {{ event.lst.index(4) }})");
  CHECK(ct::contains_text(E("{{ event.lst.index('a', 0, 1) }}"), "'a' is not in list"));
  CHECK(ct::contains_text(E("{{ event.lst.count(1, 2) }}"),
                          "list.count() takes exactly one argument (2 given)"));
}

TEST_CASE("dict.get, keys, values, items: lists usable with filters and in") {
  CHECK(R("{{ event.d.get('k') }}") == "v");
  CHECK(R("{{ event.d.get('missing') }}") == value());
  CHECK(R("{{ event.d.get('missing', 'x') }}") == "x");
  CHECK(R("{{ event.d.get(1) }}") == value());  // event keys are strings
  CHECK(ct::contains_text(E("{{ event.d.get(event.lst) }}"), "unhashable type: 'list'"));
  CHECK(R("{{ event.d.get('missing') | default('fallback', true) }}") == "fallback");
  CHECK(R("{{ event.d.keys() }}") == J(R"(["k", "n"])"));
  CHECK(R("{{ event.d.values() }}") == J(R"(["v", 1])"));
  CHECK(R("{{ event.d.items() }}") == J(R"([["k", "v"], ["n", 1]])"));
  CHECK(R("{{ event.d.keys() | list }}") == J(R"(["k", "n"])"));
  CHECK(R("{{ event.d.keys() | join(',') }}") == "k,n");
  CHECK(R("{{ event.d.items() | length }}") == 2);
  CHECK(R("{{ 'k' in event.d.keys() }}") == true);
  CHECK(R("{{ 'v' in event.d.values() }}") == true);
  CHECK(R("{{ 'x' in event.d.keys() }}") == false);
  CHECK(R("{{ event.d.items()[1][0] }}") == "n");
}

TEST_CASE("methods chain with steps, filters and operators") {
  CHECK(R("{{ event.host.split('.')[0].upper() }}") == "WEB1");
  CHECK(R("{{ (event.host | upper).lower().split('.') | first }}") == "web1");
  CHECK(R("{{ event.host.replace('.', '-').split('-')[1] }}") == "example");
  CHECK(R("{{ event.host.split('.') | length + 1 }}") == 4);
  CHECK(R("host={{ event.host.split('.')[0] }}") == "host=web1");
  CHECK(R("{{ event.host.upper () }}") == "WEB1.EXAMPLE.COM");  // Jinja allows a space here
}

TEST_CASE("a method of the wrong type is Jinja's undefined-attribute error; undefined input too") {
  CHECK(E("{{ event.n.split() }}") ==
        "'int object' has no attribute 'split' "
        "(in {{ event.n.split() }})");
  CHECK(ct::contains_text(E("{{ event.lst.get('a') }}"), "'list object' has no attribute 'get'"));
  CHECK(ct::contains_text(E("{{ event.none.lower() }}"), "'None' has no attribute 'lower'"));
  CHECK(ct::contains_text(E("{{ event.d.split() }}"), "'dict object' has no attribute 'split'"));
  CHECK(ct::contains_text(E("{{ event.missing.split() }}"), "'event.missing' is undefined"));
  // `default` does not hide an error the method raised.
  CHECK(ct::contains_text(E("{{ event.lst.index(9) | default(0) }}"), "9 is not in list"));
}

TEST_CASE("unknown, private and modifying methods, and bad arguments, are compile errors") {
  auto e = CE("{{ x.nope() }}");
  CHECK(e.offset == 5);
  CHECK(ct::contains_text(e.message, "unknown method 'nope' (the methods are: split, rsplit,"));
  e = CE("{{ x.__class__() }}");
  CHECK(ct::contains_text(e.message, "'__class__' is not allowed"));
  e = CE("{{ x.append(1) }}");
  CHECK(e.message == "method 'append' changes its object, which a template may not do");
  e = CE("{{ x.split(',', 1, 2) }}");
  CHECK(e.message == "method 'split' takes at most 2 arguments (sep=None, maxsplit=-1)");
  e = CE("{{ x.replace('a') }}");
  CHECK(e.message == "method 'replace' needs at least 2 arguments (old, new, count=-1)");
  e = CE("{{ x.strip(chars='a') }}");
  CHECK(e.message == "method 'strip' takes no keyword arguments");
  e = CE("{{ x.split(foo=1) }}");
  CHECK(e.message == "method 'split' has no argument 'foo' (sep=None, maxsplit=-1)");
  e = CE("{{ x.split(',', sep=',') }}");
  CHECK(e.message == "method 'split' got the argument 'sep' twice");
  e = CE("{{ x.keys(1) }}");
  CHECK(e.message == "method 'keys' takes no arguments");
  e = CE("{{ x.format(a=1, a=2) }}");
  CHECK(e.message == "method 'format' got the keyword argument 'a' twice");
  e = CE("{{ range(3) }}");
  CHECK(ct::contains_text(e.message, "calling 'range' is not supported"));
  e = CE("{{ x['split'](',') }}");
  CHECK(e.message == "expected an operator, found '('");
  // A call that names nothing runs when compiling: one that raises is a load error.
  e = CE("{{ 'abc'.index('z') }}");
  CHECK(ct::contains_text(e.message, "method 'index': ValueError: substring not found"));
}

TEST_CASE("a method call that names nothing is computed once, at compile time") {
  auto compiled = rc::compile_template(value("{{ 'a,b'.split(',') }}"));
  REQUIRE(std::holds_alternative<rc::compiled_template>(compiled));
  const auto& t = std::get<rc::compiled_template>(compiled);
  CHECK(t.is_constant());
  CHECK(t.tree() == J(R"(["a", "b"])"));
}

TEST_CASE("conditions do not accept method calls") {
  auto r = rc::compile("event.x.split(',') == 1");
  CHECK(std::holds_alternative<rc::error>(r));
}

TEST_CASE("every method is documented in docs/conditions.md") {
  std::ifstream in(std::string(RB_SOURCE_DIR) + "/docs/conditions.md");
  REQUIRE(in);
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string doc = buf.str();
  const auto section = doc.find("### Methods");
  REQUIRE(section != std::string::npos);
  const std::string text = doc.substr(section, doc.find("\n### ", section + 5) - section);
  for (const auto& name : rc::method_names()) {
    CAPTURE(name);
    CHECK(ct::contains_text(text, "`" + name + "("));
  }
}
