#include "lua_test_util.h"

using rb::value;
using namespace rb::sources;
using namespace rb::sources::lua;
using namespace rb::sources::lua::test;

namespace {

struct applied {
  rb::filters::filter_result result;
  std::vector<value> out;
};

applied apply(rb::filters::event_filter& f, value event) {
  applied a;
  a.result = f.apply(std::move(event), a.out);
  return a;
}

std::unique_ptr<rb::filters::event_filter> filter(const std::string& name, const std::string& code,
                                                  const value& args = {},
                                                  const lua_options& o = quick_options()) {
  return make_filter(write_lua(name, code), args, o);
}

}  // namespace

TEST_CASE("lua filter: returns the event changed, a list of events, or nil to drop") {
  auto f = filter("splitter", R"lua(
return function(event, args)
  if event.drop then return nil end
  if event.items then
    local out = {}
    for i, item in ipairs(event.items) do out[i] = {item = item, tag = args.tag} end
    return out
  end
  event.tag = args.tag
  return event
end
)lua",
                  {{"tag", "t1"}});
  auto a = apply(*f, {{"x", 1}});
  CHECK(a.result.ok);
  REQUIRE(a.out.size() == 1);
  CHECK(a.out[0] == value{{"x", 1}, {"tag", "t1"}});
  a = apply(*f, {{"drop", true}});
  CHECK(a.result.ok);
  CHECK(a.out.empty());
  a = apply(*f, {{"items", {"a", "b", "c"}}});
  CHECK(a.result.ok);
  REQUIRE(a.out.size() == 3);
  CHECK(same(a.out[2], value{{"item", "c"}, {"tag", "t1"}}));
}

TEST_CASE("lua filter: the shipped add_field filter") {
  auto f = make_filter(find_filter("add_field", {}), {{"key", "site"}, {"value", "lab"}},
                       quick_options());
  auto a = apply(*f, {{"i", 1}});
  REQUIRE(a.out.size() == 1);
  CHECK(a.out[0] == value{{"i", 1}, {"site", "lab"}});
}

TEST_CASE("lua filter: errors are results naming filter, file and line; the filter keeps working") {
  const std::string code =
      "return function(event)\n  if event.bad then error('bad event') end\n  return event\nend\n";
  auto f = filter("checker", code);
  const std::string path = (scratch() / "checker.lua").string();
  auto a = apply(*f, {{"bad", true}});
  CHECK_FALSE(a.result.ok);
  CHECK(a.result.error == "checker: " + path + ":2: bad event");
  CHECK(a.out.empty());
  a = apply(*f, {{"good", true}});
  CHECK(a.result.ok);
  CHECK(a.out.size() == 1);
}

TEST_CASE("lua filter: wrong results, yielding, sleeping and runaways are errors") {
  struct bad_case {
    const char* code;
    const char* expected;
  };
  for (const auto& c : {
           bad_case{"return function(e) return 5 end",
                    "a filter must return an event table, a list of them or nil, got number"},
           bad_case{"return function(e) return {e, 3} end",
                    "the returned list holds a number at [2]"},
           bad_case{"return function(e) coroutine.yield() return e end", "yield"},
           bad_case{"return function(e) sleep(1) return e end", "attempt to call global 'sleep'"},
           bad_case{"return function(e) while true do end end",
                    "watchdog: ran for more than 200 ms"},
           bad_case{"return function(e) e.f = function() end return e end",
                    "cannot convert a function"},
       }) {
    CAPTURE(c.code);
    auto f = filter("bad_filter", c.code);
    auto a = apply(*f, {{"x", 1}});
    CHECK_FALSE(a.result.ok);
    CHECK(a.result.error.find(c.expected) != std::string::npos);
    CAPTURE(a.result.error);
    CHECK(a.out.empty());
  }
}

TEST_CASE("lua filter: load errors throw filter_error") {
  CHECK_THROWS_WITH_AS(
      filter("not_fn", "return 1"),
      doctest::Contains("a filter file must return function(event, args), got number"),
      rb::filters::filter_error);
  CHECK_THROWS_WITH_AS(filter("syntax", "return function(e) return e"),
                       doctest::Contains("syntax: "), rb::filters::filter_error);
  CHECK_THROWS_WITH_AS(filter("raises", "error('at load')"),
                       doctest::Contains("raises.lua:1: at load"), rb::filters::filter_error);
}

TEST_CASE("lua filter: memory cap") {
  lua_options o = quick_options();
  o.memory_limit = 4u << 20;
  o.watchdog = std::chrono::seconds(10);  // not under test: the 200 ms one could win under ASan
  auto f =
      filter("hungry",
             "return function(e) local t = {} for i = 1, 1e8 do t[i] = i end return e end", {}, o);
  auto a = apply(*f, {{"x", 1}});
  CHECK_FALSE(a.result.ok);
  CHECK(a.result.error.find("memory limit of 4 MiB exceeded") != std::string::npos);
}
