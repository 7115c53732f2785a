// compile_template / compiled_template: `{{ }}` action-argument templating with Jinja filters.
// Expected values were checked against Jinja2 3.1 NativeEnvironment(undefined=StrictUndefined)
// with ansible-rulebook's filters.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>

#include "condition/template.h"
#include "condition/template_filters.h"
#include "condition_test_util.h"

namespace rc = rb::condition;
using rb::value;

namespace {

rc::compiled_template compile_ok(const value& tree) {
  auto r = rc::compile_template(tree);
  if (auto* e = std::get_if<rc::template_error>(&r)) {
    FAIL_CHECK("compile_template failed at '" << e->path << "' offset " << e->offset << ": "
                                              << e->message);
    return {};
  }
  return std::get<rc::compiled_template>(std::move(r));
}

rc::template_error compile_err(const value& tree) {
  auto r = rc::compile_template(tree);
  if (auto* e = std::get_if<rc::template_error>(&r)) return *e;
  FAIL_CHECK("expected a compile error for " << tree.dump());
  return {};
}

value render_tree(const value& tree, const value& context) {
  const auto t = compile_ok(tree);
  auto r = t.render(context);
  if (auto* e = std::get_if<std::string>(&r)) {
    FAIL_CHECK("render of " << tree.dump() << " failed: " << *e);
    return {};
  }
  return std::get<value>(std::move(r));
}

// Renders one template string against a context given as JSON text.
value R(const std::string& text, std::string_view context = "{}") {
  return render_tree(value(text), value::parse(context));
}

// The render error for one template string.
std::string E(const std::string& text, std::string_view context = "{}") {
  const auto t = compile_ok(value(text));
  auto r = t.render(value::parse(context));
  if (auto* e = std::get_if<std::string>(&r)) return *e;
  FAIL_CHECK("expected a render error for " << text << ", got " << std::get<value>(r).dump());
  return {};
}

// The compile error for one template string.
rc::template_error CE(const std::string& text) { return compile_err(value(text)); }

bool has(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("strings without both {{ and }} are left alone") {
  const value tree = value::parse(R"({"a": "plain", "b": "{{ x", "c": "x }}", "d": [1, true, null],
                                      "e": "{% if x %}y{% endif %}"})");
  const auto t = compile_ok(tree);
  CHECK(t.is_constant());
  CHECK(t.referenced_names().empty());
  CHECK(t.tree() == tree);
  CHECK(std::get<value>(t.render(value::object())) == tree);
  CHECK(rc::needs_rendering("a {{ b }}"));
  CHECK_FALSE(rc::needs_rendering("a {{ b"));
  const rc::compiled_template empty;
  CHECK(empty.is_constant());
  CHECK(std::get<value>(empty.render(value::object())).is_null());
}

TEST_CASE("a lone {{ expression }} keeps its native type") {
  const char* ctx = R"({"i": 42, "f": 2.5, "b": true, "n": null, "l": [1, "x"],
                        "m": {"a": {"b": [1, 2]}}, "s": "hello"})";
  CHECK(R("{{ i }}", ctx) == 42);
  CHECK(R("{{ i }}", ctx).is_number_integer());
  CHECK(R("{{ f }}", ctx) == 2.5);
  CHECK(R("{{ b }}", ctx) == true);
  CHECK(R("{{ n }}", ctx).is_null());
  CHECK(R("{{ l }}", ctx) == value::parse(R"([1, "x"])"));
  CHECK(R("{{ m }}", ctx) == value::parse(R"({"a": {"b": [1, 2]}})"));
  CHECK(R("{{ m.a }}", ctx) == value::parse(R"({"b": [1, 2]})"));
  CHECK(R("{{ s }}", ctx) == "hello");
  CHECK(R("{{i}}", ctx) == 42);
  // Jinja drops one trailing newline (YAML block scalars end with one) and `{{- -}}` strips.
  CHECK(R("{{ i }}\n", ctx) == 42);
  CHECK(R("{{ m }}\r\n", ctx) == value::parse(R"({"a": {"b": [1, 2]}})"));
  CHECK(R("  {{- i -}}  ", ctx) == 42);
  CHECK(R("{# note #}{{ i }}", ctx) == 42);
  // Text around the expression makes it text, read back as a literal when it is one: a trailing
  // space still gives 42, a leading one does not (Python rejects the indentation).
  CHECK(R("{{ i }} ", ctx) == 42);
  CHECK(R(" {{ i }}", ctx) == " 42");
  CHECK(R("{{ m }} ", ctx) == value::parse(R"({"a": {"b": [1, 2]}})"));
}

TEST_CASE("text with expressions uses Python's str()") {
  const char* ctx = R"({"t": true, "f": false, "n": null, "i": -7, "x": 0.1, "big": 1e16,
                        "small": 1e-05, "whole": 3.0, "l": [1, "a", null, true, 2.5],
                        "d": {"k": "v", "q": "it's", "both": "'\""}, "s": "str"})";
  CHECK(R("v={{ t }},{{ f }},{{ n }}", ctx) == "v=True,False,None");
  CHECK(R("i={{ i }} x={{ x }} big={{ big }} small={{ small }} whole={{ whole }}", ctx) ==
        "i=-7 x=0.1 big=1e+16 small=1e-05 whole=3.0");
  CHECK(R("l={{ l }}", ctx) == "l=[1, 'a', None, True, 2.5]");
  CHECK(R("d={{ d }}", ctx) == R"(d={'k': 'v', 'q': "it's", 'both': '\'"'})");
  CHECK(R("Hello {{ s }}!", ctx) == "Hello str!");
  CHECK(R("{{ s }}{{ s }}", ctx) == "strstr");
  CHECK(R("a\r\nb {{ s }}", ctx) == "a\nb str");  // newlines normalized as Jinja does
  CHECK(R("a {# comment #} {{ s }}", ctx) == "a  str");
  CHECK(R("a  {#- c -#}  b {{ s }}", ctx) == "ab str");
  CHECK(R("{{ '}}' }} and {{ \"{{\" }}", ctx) == "}} and {{");
  CHECK(R("{{ 'a\\'b\\n' }}!") == "a'b\n!");  // Python string escapes in literals
  CHECK(R("{{ 'caf\\u00e9 \\x41' }}!") == "café A!");
  CHECK(R("q={{ l2 }}", R"({"l2": ["a\nb", "\u0001", "é"]})") == "q=['a\\nb', '\\x01', 'é']");
}

TEST_CASE("rendered text is read back as a Python literal, as NativeEnvironment does") {
  CHECK(R("{{ s }}", R"({"s": "123"})") == 123);
  CHECK(R("{{ s }}", R"({"s": "-1.5e3"})") == -1500.0);
  CHECK(R("{{ s }}", R"({"s": "True"})") == true);
  CHECK(R("{{ s }}", R"({"s": "None"})").is_null());
  CHECK(R("{{ s }}", R"({"s": "[1, 'a', (2, 3), {'k': None}]"})") ==
        value::parse(R"([1, "a", [2, 3], {"k": null}])"));
  CHECK(R("{{ a }}, {{ b }}", R"({"a": 1, "b": 2})") == value::parse("[1, 2]"));
  CHECK(R("{{ a }}{{ b }}", R"({"a": 1, "b": 2})") == 12);
  CHECK(R("{{ s }}", R"({"s": "'quoted'"})") == "quoted");
  CHECK(R("{{ s }}", R"({"s": "0x1f"})") == 31);
  CHECK(R("{{ s }}", R"({"s": "1 # comment"})") == 1);
  // Not Python literals: kept as text.
  for (const char* s : {"hello", "true", "007", "2024-01-01", "1.2.3", " 5", "a, b", "1 + 2", "",
                        "inf", "5j", "{1, 2}", "99999999999999999999999"}) {
    CAPTURE(s);
    CHECK(R("{{ s }}", value{{"s", s}}.dump()) == s);
  }
}

TEST_CASE("every top-level name of the context can be used") {
  const char* ctx = R"({"event": {"x": 1, "a b": [5, 6], "list": [{"k": "v"}]},
                        "events": {"m_0": {"x": 10}, "m_1": {"x": 20}},
                        "fact": {"meta": {"hosts": "h1"}}, "vars": {"v": "from vars"},
                        "my_var": {"a": [7, 8]}, "None2": 3})";
  CHECK(R("{{ event.x }}", ctx) == 1);
  CHECK(R("{{ event['a b'][-1] }}", ctx) == 6);
  CHECK(R("{{ event.list[0].k }}", ctx) == "v");
  CHECK(R("{{ event.list.0.k }}", ctx) == "v");  // Jinja's `.0`
  CHECK(R("{{ events.m_0.x + events.m_1.x }}", ctx) == 30);
  CHECK(R("{{ events['m_1'] }}", ctx) == value::parse(R"({"x": 20})"));
  CHECK(R("{{ fact.meta.hosts }}", ctx) == "h1");
  CHECK(R("{{ vars.v }}", ctx) == "from vars");
  CHECK(R("{{ my_var.a[0] }}", ctx) == 7);
  CHECK(R("{{ None2 }}", ctx) == 3);
  CHECK(R("{{ none }}", ctx).is_null());
  CHECK(R("{{ event }}", ctx) == value::parse(ctx)["event"]);

  const auto t = compile_ok(value::parse(
      R"({"a": "{{ event.x }} {{ my_var.a[0] }}", "b": ["{{ event.x + vars.v|length }}"],
          "c": "{{ 'const' | upper }}"})"));
  CHECK(t.referenced_names() == std::vector<std::string>{"event", "my_var", "vars"});
}

TEST_CASE("undefined names and paths are errors, never an empty string") {
  const char* ctx = R"({"event": {"x": {"y": 1}, "l": [1]}, "s": "text"})";
  CHECK(E("{{ foo }}", ctx) == "undefined name 'foo' (in {{ foo }})");
  CHECK(E("value: {{ event.nope }}", ctx) == "'event.nope' is undefined (in {{ event.nope }})");
  CHECK(has(E("{{ event.x.z.w }}", ctx), "'event.x.z' is undefined"));
  CHECK(has(E("{{ event.l[3] }}", ctx), "'event.l[3]' is undefined"));
  CHECK(has(E("{{ event.nope | upper }}", ctx), "'event.nope' is undefined"));
  CHECK(has(E("{{ 1 + foo }}", ctx), "undefined name 'foo'"));
  CHECK(has(E("{{ s.x }}", ctx), "'s.x' is undefined"));
  CHECK(has(E("{{ event }}", "{}"), "undefined name 'event'"));
  CHECK(has(E("{{ s + 1 }}", ctx), "the expression has no value"));
  // Where: the path of the string in the tree.
  const auto t = compile_ok(value::parse(R"({"msg": ["ok", "{{ missing }}"]})"));
  auto r = t.render(value::parse(ctx));
  REQUIRE(std::holds_alternative<std::string>(r));
  CHECK(std::get<std::string>(r) == "undefined name 'missing' (in msg[1]: {{ missing }})");
}

TEST_CASE("filter: default / d") {
  const char* ctx = R"({"event": {"x": 1, "empty": "", "zero": 0, "n": null}, "l": []})";
  CHECK(R("{{ nope | default('fallback') }}", ctx) == "fallback");
  CHECK(R("{{ event.nope | default(5) }}", ctx) == 5);
  CHECK(R("{{ event.x | default(5) }}", ctx) == 1);
  CHECK(R("{{ event.nope | default }}", ctx) == "");
  CHECK(R("{{ event.nope | d([1, 2]) }}", ctx) == value::parse("[1, 2]"));
  CHECK(R("{{ event.n | default('x') }}", ctx).is_null());  // null is defined
  CHECK(R("{{ event.empty | default('x') }}", ctx) == "");
  CHECK(R("{{ event.empty | default('x', true) }}", ctx) == "x");
  CHECK(R("{{ event.zero | d('x', boolean=true) }}", ctx) == "x");
  CHECK(R("{{ event.x | default('x', true) }}", ctx) == 1);
  CHECK(R("{{ a | default(b) | default('c') }}", ctx) == "c");
  CHECK(R("{{ event.nope | default(event.x) + 1 }}", ctx) == 2);
  CHECK(R("{{ l | first | default('none') }}", ctx) == "none");
  CHECK(R("{{ event.nope | default('a') | upper }}", ctx) == "A");
  // As in Jinja with StrictUndefined, only the last step may be missing: a missing parent, or an
  // undefined name inside an operation, is still an error.
  CHECK(has(E("{{ nope.y | default(1) }}", ctx), "undefined name 'nope'"));
  CHECK(has(E("{{ event.a.b | default(1) }}", ctx), "'event.a' is undefined"));
  CHECK(has(E("{{ (event.x + nope) | default(1) }}", ctx), "undefined name 'nope'"));
  CHECK(has(E("{{ event.nope | default(other.y) }}", ctx), "undefined name 'other'"));
  // Filter errors are not hidden by default.
  CHECK(has(E("{{ (s | from_json) | default(1) }}", R"({"s": "{"})"), "filter 'from_json'"));
}

TEST_CASE("filter: lower, upper, capitalize, trim, string") {
  CHECK(R("{{ s | lower }}", R"({"s": "MiXeD Ünïcödé ΑΒΓ"})") == "mixed ünïcödé αβγ");
  CHECK(R("{{ s | upper }}", R"({"s": "straße été"})") == "STRASSE ÉTÉ");
  CHECK(R("{{ s | capitalize }}", R"({"s": "hELLO wORLD"})") == "Hello world");
  CHECK(R("{{ n | lower }}", R"({"n": null})") == "none");
  CHECK(R("{{ l | upper }}", R"({"l": [1, "a"]})") == value::parse(R"([1, "A"])"));
  CHECK(R("[{{ s | trim }}]", R"({"s": " \t a b \n"})") == "[a b]");
  CHECK(R("{{ s | trim('xy') }}", R"({"s": "xyaxbyx"})") == "axb");
  CHECK(has(E("{{ s | trim(5) }}", R"({"s": "a"})"), "filter 'trim'"));
  CHECK(R("{{ i | string }}!", R"({"i": 5})") == "5!");
  CHECK(R("{{ d | string }}!", R"({"d": {"a": true}})") == "{'a': True}!");
  CHECK(R("{{ i | string | length }}", R"({"i": 12345})") == 5);
}

TEST_CASE("filter: int") {
  CHECK(R("{{ s | int }}", R"({"s": "42"})") == 42);
  CHECK(R("{{ s | int }}", R"({"s": " -42 "})") == -42);
  CHECK(R("{{ s | int }}", R"({"s": "3.7"})") == 3);
  CHECK(R("{{ s | int }}", R"({"s": "1e3"})") == 1000);
  CHECK(R("{{ s | int }}", R"({"s": "1_000"})") == 1000);
  CHECK(R("{{ s | int }}", R"({"s": "abc"})") == 0);
  CHECK(R("{{ s | int }}", R"({"s": "inf"})") == 0);
  CHECK(R("{{ s | int(7) }}", R"({"s": "abc"})") == 7);
  CHECK(R("{{ s | int(default='none') }}", R"({"s": "abc"})") == "none");
  CHECK(R("{{ s | int(base=16) }}", R"({"s": "0x1F"})") == 31);
  CHECK(R("{{ s | int(0, 2) }}", R"({"s": "101"})") == 5);
  CHECK(R("{{ s | int(base=0) }}", R"({"s": "0o17"})") == 15);
  CHECK(R("{{ f | int }}", R"({"f": 3.9})") == 3);
  CHECK(R("{{ f | int }}", R"({"f": -3.9})") == -3);
  CHECK(R("{{ b | int }}", R"({"b": true})") == 1);
  CHECK(R("{{ n | int }}", R"({"n": null})") == 0);
  CHECK(R("{{ l | int }}", R"({"l": [1]})") == 0);
  CHECK(R("{{ s | int }}", R"({"s": "18446744073709551615"})") == 18446744073709551615ull);
  const std::string e = E("{{ s | int }}", R"({"s": "99999999999999999999"})");
  CHECK(has(e, "filter 'int': cannot convert '99999999999999999999' to a 64-bit integer"));
}

TEST_CASE("filter: float") {
  CHECK(R("{{ s | float }}", R"({"s": "1.5"})") == 1.5);
  CHECK(R("{{ s | float }}", R"({"s": " 1_0.5e1 "})") == 105.0);
  CHECK(R("{{ s | float }}", R"({"s": "abc"})") == 0.0);
  CHECK(R("{{ s | float(-1) }}", R"({"s": "abc"})") == -1);
  CHECK(R("{{ i | float }}", R"({"i": 3})").is_number_float());
  CHECK(R("{{ i | float }}!", R"({"i": 3})") == "3.0!");
  CHECK(std::isinf(R("{{ s | float }}", R"({"s": "-Infinity"})").get<double>()));
}

TEST_CASE("filter: bool (ansible-rulebook's)") {
  for (const char* t : {"yes", "Yes", "TRUE", "1", "on", " t ", "y"}) {
    CAPTURE(t);
    CHECK(R("{{ s | bool }}", value{{"s", t}}.dump()) == true);
  }
  for (const char* f : {"no", "False", "0", "off", "f", "n", ""}) {
    CAPTURE(f);
    CHECK(R("{{ s | bool }}", value{{"s", f}}.dump()) == false);
  }
  CHECK(R("{{ v | bool }}", R"({"v": 0})") == false);
  CHECK(R("{{ v | bool }}", R"({"v": [1]})") == true);
  CHECK(R("{{ v | bool }}", R"({"v": null})") == false);
  CHECK(R("{{ v | bool }}", R"({"v": true})") == true);
  CHECK(has(E("{{ s | bool }}", R"({"s": "maybe"})"),
            "filter 'bool': cannot convert 'maybe' to a boolean"));
}

TEST_CASE("filter: length / count") {
  CHECK(R("{{ s | length }}", R"({"s": "héllo"})") == 5);  // characters, not bytes
  CHECK(R("{{ l | length }}", R"({"l": [1, 2, 3]})") == 3);
  CHECK(R("{{ d | count }}", R"({"d": {"a": 1, "b": 2}})") == 2);
  CHECK(has(E("{{ i | length }}", R"({"i": 5})"),
            "filter 'length': object of type 'int' has no len()"));
  CHECK(has(E("{{ n | length }}", R"({"n": null})"), "'NoneType' has no len()"));
}

TEST_CASE("filter: join") {
  CHECK(R("{{ l | join(', ') }}", R"({"l": ["a", "b"]})") == "a, b");
  CHECK(R("{{ l | join }}", R"({"l": [1, null, true]})") == "1NoneTrue");
  CHECK(R("{{ s | join('-') }}", R"({"s": "abc"})") == "a-b-c");
  CHECK(R("{{ d | join(',') }}", R"({"d": {"x": 1, "y": 2}})") == "x,y");
  CHECK(R("{{ l | join(',', attribute='n') }}", R"({"l": [{"n": 1}, {"n": "b"}]})") == "1,b");
  CHECK(R("{{ l | join(d='/', attribute='n.0') }}", R"({"l": [{"n": [1]}, {"n": "bc"}]})") ==
        "1/b");
  CHECK(has(E("{{ l | join(',', attribute='m') }}", R"({"l": [{"n": 1}]})"),
            "filter 'join': an item has no attribute m"));
  CHECK(has(E("{{ i | join }}", R"({"i": 5})"), "'int' object is not iterable"));
}

TEST_CASE("filter: replace") {
  CHECK(R("{{ s | replace('.com', '') }}", R"({"s": "www.example.com"})") == "www.example");
  CHECK(R("{{ s | replace('b', 'X', 1) }}", R"({"s": "abcabc"})") == "aXcabc");
  CHECK(R("{{ s | replace('', '-') }}", R"({"s": "aé"})") == "-a-é-");
  CHECK(R("{{ i | replace(1, 2) }}", R"({"i": 111})") == 222);  // str() in, literal back
  CHECK(has(E("{{ s | replace('a', 'b', 'c') }}", R"({"s": "a"})"),
            "'str' object cannot be interpreted as an integer"));
}

TEST_CASE("filter: regex_replace") {
  CHECK(R("{{ s | regex_replace('host1', 'host195') }}", R"({"s": "host1.net"})") ==
        "host195.net");
  CHECK(R("{{ s | regex_replace('Bamm', 'Betty', count=1) }}", R"({"s": "Bamm Bamm Rubble"})") ==
        "Betty Bamm Rubble");
  CHECK(R("{{ s | regex_replace('(\\\\w+) (\\\\w+)', '\\\\2 \\\\1') }}",
          R"({"s": "hello world"})") == "world hello");
  CHECK(R("{{ s | regex_replace('(?P<w>o)', '[\\\\g<w>\\\\g<0>]') }}", R"({"s": "foo"})") ==
        "f[oo][oo]");
  CHECK(R("{{ s | regex_replace('^a', 'X') }}", R"({"s": "ab\nac"})") == "Xb\nac");
  CHECK(R("{{ s | regex_replace('^a', 'X', multiline=true) }}", R"({"s": "ab\nac"})") ==
        "Xb\nXc");
  CHECK(R("{{ s | regex_replace('A', 'X', ignore_case=true) }}", R"({"s": "aA"})") == "XX");
  CHECK(R("{{ s | regex_replace('A', 'X', ignorecase=true) }}", R"({"s": "aA"})") == "XX");
  CHECK(R("{{ s | regex_replace('x*', '-') }}", R"({"s": "abxd"})") == "-a-b--d-");  // Python 3.7+
  CHECK(R("{{ s | regex_replace('(a)|(b)', '[\\\\2]') }}", R"({"s": "ab"})") == "[][b]");
  CHECK(R("{{ s | regex_replace('\\\\d+', '#') }}", R"({"s": "a1b22"})") == "a#b#");
  CHECK(R("{{ n | regex_replace('a', 'b') }}", R"({"n": null})") == "");
  CHECK(R("{{ i | regex_replace('1', '2') }}", R"({"i": 121})") == 222);
  CHECK(R("{{ s | regex_replace(p, 'b') }}", R"({"s": "aaa", "p": "a+"})") == "b");
  CHECK(R("{{ s | regex_replace(p, r, ignore_case=ic) }}",
          R"({"s": "AaA", "p": "a", "r": "-", "ic": true})") == "---");
  CHECK(has(E("{{ s | regex_replace(p, 'b') }}", R"({"s": "a", "p": "(a"})"),
            "filter 'regex_replace': invalid regular expression '(a'"));
  CHECK(has(E("{{ s | regex_replace('a', 'X', mandatory_count=2) }}", R"({"s": "ab"})"),
            "expected at least 2 replacements, but only found 1"));
  CHECK(has(E("{{ s | regex_replace('a', r) }}", R"({"s": "a", "r": "\\q"})"), "bad escape \\q"));
  CHECK(has(E("{{ s | regex_replace('a', r) }}", R"({"s": "a", "r": "\\1"})"),
            "invalid group reference 1"));
  CHECK(has(E("{{ s | regex_replace(p, 'x') }}", R"({"s": "a", "p": 5})"),
            "the pattern must be a string"));
}

TEST_CASE("filter: basename, dirname, normpath (posixpath)") {
  CHECK(R("{{ p | basename }}", R"({"p": "/etc/certs/cert.pem"})") == "cert.pem");
  CHECK(R("{{ p | dirname }}", R"({"p": "/etc/certs/cert.pem"})") == "/etc/certs");
  CHECK(R("{{ p | dirname }}", R"({"p": "cert.pem"})") == "");
  CHECK(R("{{ p | dirname }}", R"({"p": "///a"})") == "///");
  CHECK(R("{{ p | dirname }}", R"({"p": "a//b//"})") == "a//b");
  CHECK(R("{{ p | normpath }}", R"({"p": "/abc//def//jhk/test.txt"})") ==
        "/abc/def/jhk/test.txt");
  CHECK(R("{{ p | normpath }}", R"({"p": ""})") == ".");
  CHECK(R("{{ p | normpath }}", R"({"p": "//a/../b/./c/"})") == "//b/c");
  CHECK(R("{{ p | normpath }}", R"({"p": "///a/.."})") == "/");
  CHECK(R("{{ p | normpath }}", R"({"p": "../../a/../.."})") == "../../..");
  CHECK(R("{{ p | normpath }}", R"({"p": "/../a"})") == "/a");
  CHECK(R("{{ p | normpath | dirname | upper }}", R"({"p": "/abc//def/x.txt"})") == "/ABC/DEF");
  CHECK(R("{{ n | basename }}", R"({"n": null})") == "");
  CHECK(has(E("{{ i | dirname }}", R"({"i": 5})"), "filter 'dirname': expected a string path"));
}

TEST_CASE("filter: to_json, tojson, from_json") {
  const char* ctx = R"({"v": {"b": [1, 2.5, "é", null, true], "a": {}}, "w": {"b": "<&>'", "a": 2},
                        "j": "{\"k\": [1, true, null]}", "bad": "{oops"})";
  // Python's json.dumps: ", " and ": " separators, ASCII only. Its text reads back as a Python
  // literal only without true/false/null, so this stays a string.
  CHECK(R("{{ v | to_json }}", ctx) == R"({"b": [1, 2.5, "\u00e9", null, true], "a": {}})");
  CHECK(R("{{ w | to_json }}", ctx) == value::parse(R"({"b": "<&>'", "a": 2})"));
  CHECK(R("{{ w | to_json(sort_keys=true) }}!", ctx) == R"({"a": 2, "b": "<&>'"}!)");
  CHECK(R("{{ v | to_json(indent=2) }}", ctx) ==
        "{\n  \"b\": [\n    1,\n    2.5,\n    \"\\u00e9\",\n    null,\n    true\n  ],\n"
        "  \"a\": {}\n}");
  CHECK(R("{{ w | tojson }}!", ctx) == R"({"a": 2, "b": "\u003c\u0026\u003e\u0027"}!)");
  CHECK(R("{{ j | from_json }}", ctx) == value::parse(R"({"k": [1, true, null]})"));
  CHECK(R("{{ (j | from_json).k[0] + 1 }}", ctx) == 2);
  CHECK(R("{{ (j | from_json)['k'] | length }}", ctx) == 3);
  CHECK(R("{{ (j | from_json).nope | default('d') }}", ctx) == "d");
  CHECK(has(E("{{ (j | from_json).nope }}", ctx), "'(...).nope' is undefined"));
  CHECK(has(E("{{ (j | from_json).k[7] }}", ctx), "'(...).k[7]' is undefined"));
  CHECK(has(E("{{ (nope | upper).k | default(1) }}", ctx), "undefined name 'nope'"));
  CHECK(R("{{ [10, 20][1] }}") == 20);
  CHECK(R("{{ (v).a }}", ctx) == value::object());
  CHECK(R("{{ v | ansible.builtin.to_json | from_json }}", ctx) == value::parse(ctx)["v"]);
  CHECK(has(E("{{ bad | from_json }}", ctx), "filter 'from_json': cannot parse '{oops' as JSON"));
  CHECK(has(E("{{ v | from_json }}", ctx), "filter 'from_json': the JSON object must be str"));
}

TEST_CASE("filter: first, last, list") {
  const char* ctx = R"({"l": [1, 2, 3], "s": "héllo", "d": {"a": 1, "b": 2}, "e": [],
                        "nested": [{"k": "v"}]})";
  CHECK(R("{{ l | first }}", ctx) == 1);
  CHECK(R("{{ l | last }}", ctx) == 3);
  CHECK(R("{{ s | first }}", ctx) == "h");
  CHECK(R("{{ s | last }}", ctx) == "o");
  CHECK(R("{{ d | first }}", ctx) == "a");
  CHECK(R("{{ d | last }}", ctx) == "b");
  CHECK(R("{{ nested | first }}", ctx) == value::parse(R"({"k": "v"})"));
  CHECK(R("{{ (nested | first).k }}", ctx) == "v");
  CHECK(R("{{ s | list }}", ctx) == value::parse(R"(["h", "é", "l", "l", "o"])"));
  CHECK(R("{{ d | list }}", ctx) == value::parse(R"(["a", "b"])"));
  CHECK(R("{{ l | list }}", ctx) == value::parse("[1, 2, 3]"));
  CHECK(has(E("{{ e | first }}", ctx), "filter 'first': the list is empty"));
  CHECK(has(E("{{ 5 | last + x }}", R"({"x": 1})"), "'int' object is not iterable"));
}

TEST_CASE("filter: abs, round") {
  CHECK(R("{{ -3 | abs }}") == 3);  // the literal -3, as in Jinja
  CHECK(R("{{ f | abs }}", R"({"f": -2.5})") == 2.5);
  CHECK(has(E("{{ s | abs }}", R"({"s": "a"})"), "bad operand type for abs(): 'str'"));
  CHECK(R("{{ f | round }}", R"({"f": 2.5})") == 2.0);  // ties to even
  CHECK(R("{{ f | round }}", R"({"f": 3.5})") == 4.0);
  CHECK(R("{{ f | round }}", R"({"f": 2.5})").is_number_float());
  CHECK(R("{{ i | round }}", R"({"i": 3})").is_number_integer());
  CHECK(R("{{ f | round(2) }}", R"({"f": 2.675})") == 2.67);  // the double is below 2.675
  CHECK(R("{{ i | round(-2) }}", R"({"i": 1250})") == 1200);
  CHECK(R("{{ i | round(-2) }}", R"({"i": 1350})") == 1400);
  CHECK(R("{{ f | round(0, 'ceil') }}", R"({"f": 2.1})") == 3.0);
  CHECK(R("{{ f | round(1, 'floor') }}", R"({"f": 2.56})") == 2.5);
  CHECK(R("{{ f | round(method='floor') }}", R"({"f": -0.5})") == -1.0);
  CHECK(has(E("{{ s | round }}", R"({"s": "a"})"), "filter 'round'"));
  CHECK(has(E("{{ f | round(0, m) }}", R"({"f": 1.5, "m": "up"})"),
            "method must be common, ceil or floor"));
}

TEST_CASE("filters bind tighter than operators and chain") {
  const char* ctx = R"({"x": "41", "y": "2", "f": 1.5, "s": "no", "l": [1, 2, 3], "n": "b"})";
  CHECK(R("{{ 1 + x|int }}", ctx) == 42);
  CHECK(R("{{ x|int + y|int * 2 }}", ctx) == 45);
  CHECK(R("{{ (f + 2)|int }}", ctx) == 3);
  CHECK(R("{{ not s|bool }}", ctx) == true);
  CHECK(R("{{ l|length > 2 and s|bool == false }}", ctx) == true);
  CHECK(R("{{ [x|int, n|upper] }}", ctx) == value::parse(R"([41, "B"])"));
  CHECK(R("{{ 'a' + f|string }}", ctx) == "a1.5");
  CHECK(R("{{ nope|default(n|upper)|lower|replace('b', 'c') }}", ctx) == "c");
  CHECK(R("{{ x | int | string | length }}", ctx) == 2);
  CHECK(R("{{ n | upper == 'B' }}", ctx) == true);
}

TEST_CASE("nested trees: objects and arrays, keys not templated, order kept") {
  const value tree = value::parse(R"({
      "msg": "Hello {{ event.name }}",
      "{{ key }}": "keys stay as written",
      "event": {"items": [1, "{{ event.i * 2 }}", {"deep": ["{{ event.name | upper }}"]}],
                "const": {"a": [1, 2]}},
      "num": "{{ event.i }}",
      "plain": 7})");
  const value ctx = value::parse(R"({"event": {"name": "fred", "i": 21}})");
  const auto t = compile_ok(tree);
  CHECK_FALSE(t.is_constant());
  CHECK(t.referenced_names() == std::vector<std::string>{"event"});
  const value out = std::get<value>(t.render(ctx));
  CHECK(out == value::parse(R"({
      "msg": "Hello fred",
      "{{ key }}": "keys stay as written",
      "event": {"items": [1, 42, {"deep": ["FRED"]}], "const": {"a": [1, 2]}},
      "num": 21,
      "plain": 7})"));
  std::vector<std::string> keys;
  for (const auto& [k, v] : out.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"msg", "{{ key }}", "event", "num", "plain"});
  // Rendering is repeatable and does not depend on earlier contexts.
  CHECK(std::get<value>(t.render(ctx)) == out);
  const value other = value::parse(R"({"event": {"name": "wilma", "i": 1}})");
  CHECK(std::get<value>(t.render(other))["msg"] == "Hello wilma");
  // A copy shares the compiled form.
  const rc::compiled_template copy = t;
  CHECK(std::get<value>(copy.render(ctx)) == out);
  // A top-level string, and arrays at the top.
  CHECK(render_tree(value("{{ a }}"), value::parse(R"({"a": [1]})")) == value::parse("[1]"));
  CHECK(render_tree(value::parse(R"(["{{ a }}", "b"])"), value::parse(R"({"a": 1})")) ==
        value::parse(R"([1, "b"])"));
}

TEST_CASE("expressions that name nothing are computed once, at compile time") {
  const auto t = compile_ok(value::parse(R"({"a": "{{ 'abc' | upper }}", "b": "{{ 1 + 2 }}",
                                             "c": "x{{ [1] | length }}", "d": "{# only #}"})"));
  CHECK(t.is_constant());
  CHECK(t.tree() == value::parse(R"({"a": "ABC", "b": 3, "c": "x1", "d": "{# only #}"})"));
  // Only comments: Jinja renders nothing, which NativeEnvironment turns into None.
  CHECK(render_tree(value("{# {{ x }} #}"), value::object()).is_null());
  const auto m = compile_ok(value("{{ 'a' | upper }}-{{ x }}"));
  CHECK_FALSE(m.is_constant());
  CHECK(std::get<value>(m.render(value::parse(R"({"x": 1})"))) == "A-1");
}

TEST_CASE("compile errors carry the path, the offset in the string and a message") {
  auto e = compile_err(value::parse(R"({"msg": "hi {{ x | nope }}"})"));
  CHECK(e.path == "msg");
  CHECK(e.offset == 10);
  CHECK(e.message == "unknown filter 'nope'");

  e = compile_err(value::parse(R"({"event": {"items": [1, 2, "{{ x +  }}"]}})"));
  CHECK(e.path == "event.items[2]");
  CHECK(e.offset == 8);
  CHECK(e.message == "expected a value after '+', found end of expression");

  e = CE("a {% if x %}{{ y }}{% endif %}");
  CHECK(e.path == "");
  CHECK(e.offset == 2);
  CHECK(ct::contains_text(e.message, "Jinja statements ('{% ... %}') are not supported"));

  e = CE("x }} {{ y");
  CHECK(e.offset == 5);
  CHECK(e.message == "'{{' is not closed by '}}'");
  e = CE("{# }} {{ ");
  CHECK(e.message == "the comment '{#' is not closed by '#}'");
  e = CE("{{ }}");
  CHECK(e.message == "empty expression in '{{ }}'");
  e = CE("{{ 'abc }}");
  CHECK(e.offset == 3);
  CHECK(ct::contains_text(e.message, "unterminated string"));
  e = CE("{{ x | }}");
  CHECK(ct::contains_text(e.message, "expected a filter name after '|'"));
  e = CE("{{ x | replace('a') }}");
  CHECK(e.offset == 7);
  CHECK(e.message == "filter 'replace' needs the argument 'new' (its arguments: old, new, count)");
  e = CE("{{ x | replace('a', 'b', 1, 2) }}");
  CHECK(e.offset == 28);
  CHECK(e.message == "filter 'replace' takes at most 3 arguments (old, new, count)");
  e = CE("{{ x | upper(1) }}");
  CHECK(e.message == "filter 'upper' takes no arguments");
  e = CE("{{ x | join(sep=',') }}");
  CHECK(e.offset == 12);
  CHECK(e.message == "filter 'join' has no argument 'sep' (its arguments: d, attribute)");
  e = CE("{{ x | join(d=',', d='') }}");
  CHECK(e.message == "filter 'join' got the argument 'd' twice");
  e = CE("{{ x | join(d=',', ',') }}");
  CHECK(e.message == "a positional argument cannot follow a keyword argument");
  e = CE("{{ x | regex_replace('(a', 'b') }}");
  CHECK(e.offset == 21);
  CHECK(e.message == "filter 'regex_replace': invalid regular expression: missing ): (a");
  e = CE("{{ x | regex_replace('(a)', '\\\\2') }}");
  CHECK(e.message == "filter 'regex_replace': invalid replacement: invalid group reference 2");
  e = CE("{{ x | round(0, 'up') }}");
  CHECK(e.message == "filter 'round': method must be common, ceil or floor");
  e = CE("{{ 'a\\x4' }}");
  CHECK(ct::contains_text(e.message, "truncated \\x escape"));
  e = CE("{{ x & y }}");
  CHECK(e.offset == 5);
  // An expression without names that can never succeed is reported when compiling.
  e = CE("{{ 'x' | from_json }}");
  CHECK(ct::contains_text(e.message, "filter 'from_json': cannot parse 'x' as JSON"));
  e = CE("{{ 1 / 0 }}");
  CHECK(ct::contains_text(e.message, "has no value"));
}

TEST_CASE("conditions and plain expressions do not accept filters") {
  auto r = rc::compile("event.x | upper == 'A'");
  REQUIRE(std::holds_alternative<rc::error>(r));
  CHECK(std::get<rc::error>(r).message == "unexpected '|': use 'and' / 'or'");
  auto x = rc::compile_expression("x | upper");
  REQUIRE(std::holds_alternative<rc::error>(x));
}

TEST_CASE("every filter is documented in docs/conditions.md") {
  std::ifstream in(std::string(RB_SOURCE_DIR) + "/docs/conditions.md");
  REQUIRE(in);
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string doc = buf.str();
  const auto section = doc.find("## Templating action arguments");
  REQUIRE(section != std::string::npos);
  const std::string text = doc.substr(section);
  for (const auto& name : rc::filter_names()) {
    CAPTURE(name);
    CHECK((has(text, "| `" + name + "`") || has(text, "| `" + name + "(") ||
           has(text, ", `" + name + "`")));
  }
}
