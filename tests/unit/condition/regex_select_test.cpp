// match / search / regex with options, select and selectattr (operators, single objects, `is
// not`), and the regex cache for patterns that come from event data.
#include <doctest/doctest.h>

#include "condition/regex_cache.h"
#include "condition_test_util.h"

using ct::match;

TEST_CASE("match is anchored at the start, search and regex find anywhere") {
  const char* e = R"({"url": "https://example.com/users/1", "n": 12345, "t": true})";
  CHECK(match("event.url is match('https://')", e));
  CHECK_FALSE(match("event.url is match('example')", e));
  CHECK(match("event.url is search('example')", e));
  CHECK(match("event.url is regex('example\\.com')", e));
  CHECK(match("event.url is regex(\"users/[0-9]+$\")", e));
  CHECK_FALSE(match("event.url is regex('^users')", e));
  CHECK(match("event.url is not match('example')", e));
  CHECK_FALSE(match("event.url is not search('example')", e));
  CHECK(match("event.url is not regex('nothere')", e));
  // Numbers and booleans are matched as their text (Drools' toString()).
  CHECK(match("event.n is match('123')", e));
  CHECK(match("event.t is match('true')", e));
}

TEST_CASE("regex options: ignorecase and multiline") {
  const char* e = R"({"s": "first line\nSecond Line"})";
  CHECK_FALSE(match("event.s is search('second')", e));
  CHECK(match("event.s is search('second', ignorecase=true)", e));
  CHECK_FALSE(match("event.s is search('second', ignorecase=false)", e));
  CHECK(match("event.s is search('(?i)SECOND')", e));  // inline flags work too
  CHECK_FALSE(match("event.s is search('^Second')", e));
  CHECK(match("event.s is search('^Second', multiline=true)", e));
  CHECK(match("event.s is regex('^second', ignorecase=True, multiline=True)", e));
  CHECK(match("event.s is match('FIRST', ignorecase=true)", e));
  CHECK_FALSE(match("event.s is match('Second', multiline=true)", e));  // match: text start only
}

TEST_CASE("regex on null, lists and objects does not match either way") {
  const char* e = R"({"z": null, "l": ["a"], "o": {"a": 1}})";
  for (const char* c : {"event.z is match('a')", "event.z is not match('a')",
                        "event.l is search('a')", "event.l is not search('a')",
                        "event.o is regex('a')", "event.o is not regex('a')"}) {
    const std::string text = c;
    CAPTURE(text);
    CHECK_FALSE(match(c, e));
  }
}

TEST_CASE("patterns from event data and vars") {
  const rb::value vars = rb::value::parse(R"({"pat": "^ab"})");
  CHECK(match("event.s is match(vars.pat)", R"({"s": "abc"})", &vars));
  CHECK(match("event.s is search(event.p)", R"({"s": "abc", "p": "b.$"})"));
  CHECK_FALSE(match("event.s is search(event.p)", R"({"s": "abc", "p": "z"})"));
  CHECK_FALSE(match("event.s is search(event.p)", R"({"s": "abc", "p": 5})"));
  // An invalid pattern from the event simply does not match (and does not throw).
  CHECK_FALSE(match("event.s is search(event.p)", R"({"s": "abc", "p": "(unclosed"})"));
  CHECK_FALSE(match("event.s is not search(event.p)", R"({"s": "abc", "p": "(unclosed"})"));
}

TEST_CASE("the run-time regex cache is bounded and reuses entries") {
  using namespace rb::condition;
  const RE2* a = cached_regex("cache-a", {});
  REQUIRE(a != nullptr);
  CHECK(cached_regex("cache-a", {}) == a);
  CHECK(cached_regex("cache-a", {true, false}) != a);  // flags are part of the key
  for (int i = 0; i < 3 * static_cast<int>(regex_cache_capacity); ++i)
    CHECK(cached_regex("p" + std::to_string(i), {}) != nullptr);
  CHECK(cached_regex("(bad", {}) == nullptr);
  const auto p = ct::compile_ok("event.s is search(event.p)");
  for (int i = 0; i < 500; ++i) {
    const rb::value e = {{"s", "x" + std::to_string(i)}, {"p", std::to_string(i) + "$"}};
    CHECK(p.matches(scope{&e, {}, nullptr}));
  }
}

TEST_CASE("invalid literal patterns are compile errors at the pattern") {
  auto e = ct::compile_err("event.s is match('(abc')");
  CHECK(e.column == 18);
  CHECK(ct::contains_text(e.message, "invalid regular expression"));
  e = ct::compile_err("event.s is search(5)");
  CHECK(e.column == 19);
  CHECK(e.message == "the pattern of search() must be a string");
  e = ct::compile_err("event.l is select('regex', '[')");
  CHECK(e.column == 28);
  CHECK(ct::contains_text(e.message, "invalid regular expression"));
  e = ct::compile_err("event.l is select('match', 1)");
  CHECK(e.message == "the pattern of a select regex operator must be a string");
}

TEST_CASE("select: every operator over a list") {
  const char* e = R"({"levels": [1, 2, 3, 20], "names": ["fred", "Barney"], "b": [false]})";
  CHECK(match("event.levels is select('>=', 10)", e));
  CHECK(match("event.levels is select('>', 19.5)", e));
  CHECK_FALSE(match("event.levels is select('>', 20)", e));
  CHECK(match("event.levels is select('<', 2)", e));
  CHECK(match("event.levels is select('<=', 1)", e));
  CHECK(match("event.levels is select('==', 3.0)", e));
  CHECK(match("event.levels is select('!=', 1)", e));
  CHECK(match("event.names is select('match', 'fr')", e));
  CHECK_FALSE(match("event.names is select('match', 'red')", e));
  CHECK(match("event.names is select('search', 'red')", e));
  CHECK(match("event.names is select('regex', '(?i)barney')", e));
  CHECK(match("event.b is select('==', false)", e));
  CHECK_FALSE(match("event.levels is select('==', '3')", e));  // types never mix
}

TEST_CASE("select: `is not` holds when not every item passes (Drools !allMatch)") {
  const char* e = R"({"levels": [1, 2, 3], "mixed": [1, 20], "high": [30, 40]})";
  CHECK(match("event.levels is not select('>=', 10)", e));
  CHECK(match("event.mixed is not select('>=', 10)", e));
  CHECK_FALSE(match("event.high is not select('>=', 10)", e));
  CHECK_FALSE(match("event.levels is not select('<', 10)", e));
}

TEST_CASE("select on a single value counts as a one-element list") {
  const char* e = R"({"name": "hale-bopp", "type": "comet", "r": 3.0, "z": null})";
  CHECK(match("event.name is select('search', 'h.{3}(-bo).')", e));
  CHECK(match("event.type is select('match', 'come')", e));
  CHECK(match("event.type is not select('match', 'planet')", e));
  CHECK_FALSE(match("event.type is not select('match', 'comet')", e));
  CHECK(match("event.r is select('<=', 3)", e));
  CHECK(match("event.z is select('==', null)", e));
  CHECK_FALSE(match("event.z is select('!=', null)", e));
  CHECK(match("event.z is not select('!=', null)", e));
}

TEST_CASE("select values from vars, the event and bound names") {
  const rb::value vars = rb::value::parse(R"({"limit": 10, "names": ["a", "b"]})");
  CHECK(match("event.l is select('>', vars.limit)", R"({"l": [5, 11]})", &vars));
  CHECK(match("event.l is select('==', event.want)", R"({"l": [5, 11], "want": 11})"));
  const auto p = ct::compile_ok("event.names is select('search', events.m_0.request.friend)");
  const rb::value friends = rb::value::parse(R"({"names": ["fred", "barney"]})");
  const rb::value req = rb::value::parse(R"({"request": {"friend": "barn"}})");
  const rb::condition::binding b[] = {{"m_0", &req}};
  CHECK(p.matches({&friends, b, nullptr}));
  CHECK_FALSE(p.matches({&friends, {}, nullptr}));
}

TEST_CASE("selectattr: dotted keys, every operator, single objects, missing keys") {
  const char* e = R"({"planets": [
      {"planet": {"name": "mars", "moons": ["phobos", "deimos"], "total": 2, "big": "phobos"}},
      {"planet": {"name": "earth", "moons": ["moon"], "total": 1, "big": "moon"}},
      {"planet": {"name": "venus", "total": 0}}],
    "one": {"age": 54, "name": "Fred"}})";
  CHECK(match("event.planets is selectattr('planet.name', '==', 'earth')", e));
  CHECK(match("event.planets is selectattr('planet.total', '>=', 2)", e));
  CHECK_FALSE(match("event.planets is selectattr('planet.total', '>', 2)", e));
  CHECK(match("event.planets is selectattr('planet.total', '<', 1)", e));
  CHECK(match("event.planets is selectattr('planet.total', '<=', 0)", e));
  CHECK(match("event.planets is selectattr('planet.name', '!=', 'mars')", e));
  CHECK(match("event.planets is selectattr('planet.name', 'match', 'ea')", e));
  CHECK(match("event.planets is selectattr('planet.name', 'search', 'nu')", e));
  CHECK(match("event.planets is selectattr('planet.name', 'regex', '^v.*s$')", e));
  CHECK(match("event.planets is selectattr('planet.moons', 'contains', 'phobos')", e));
  CHECK(match("event.planets is selectattr('planet.moons', 'not contains', 'phobos')", e));
  CHECK(match("event.planets is selectattr('planet.total', 'in', [27, 1, 84])", e));
  CHECK(match("event.planets is selectattr('planet.big', 'not in', ['phobos', 'x'])", e));
  CHECK_FALSE(match("event.planets is selectattr('planet.rings', '==', true)", e));
  CHECK(match("event.planets is not selectattr('planet.rings', '==', true)", e));
  CHECK(match("event.planets is not selectattr('planet.total', '>', 0)", e));
  CHECK_FALSE(match("event.planets is not selectattr('planet.total', '>=', 0)", e));
  // A single object is a one-element list.
  CHECK(match("event.one is selectattr('age', '>=', 50)", e));
  CHECK_FALSE(match("event.one is not selectattr('age', '>=', 50)", e));
  CHECK(match("event.one is not selectattr('name', '==', 'Barney')", e));
  // Items that are not objects never pass.
  CHECK_FALSE(match("event.l is selectattr('a', '==', 1)", R"({"l": [1, "a", null]})"));
}

TEST_CASE("a key with a dot only means nesting in selectattr") {
  const auto e = ct::compile_err("event.l is selectattr('a..b', '==', 1)");
  CHECK(e.message == "the selectattr key 'a..b' has an empty part");
  CHECK(e.column == 23);
}
