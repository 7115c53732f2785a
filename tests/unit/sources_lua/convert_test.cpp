// Conversions between rb::value and Lua, through a filter that returns its event unchanged and
// through json.encode/json.decode inside Lua.
#include "sources/lua/convert.h"

#include "lua_test_util.h"

using rb::value;
using namespace rb::sources::lua;
using namespace rb::sources::lua::test;

namespace {

value round_trip(const value& v) {
  static auto f =
      make_filter(write_lua("identity", "return function(e) return e end"), {}, quick_options());
  std::vector<value> out;
  const auto r = f->apply(value(v), out);
  REQUIRE(r.ok);
  REQUIRE(out.size() == 1);
  return out[0];
}

}  // namespace

TEST_CASE("lua convert: nested objects, arrays, empty containers, null, unicode round-trip") {
  const value v = value::parse(R"({
    "s": "plain", "u": "héllo wörld ✓ 🎉", "empty_s": "",
    "i": 42, "neg": -7, "f": 2.5, "big": 9007199254740992, "tiny": 1e-300, "huge": 1e300,
    "t": true, "fa": false, "n": null,
    "arr": [1, "two", [3, [4]], {"five": 5}, null],
    "empty_arr": [], "empty_obj": {}, "arr_of_empty": [[], {}],
    "deep": {"a": {"b": {"c": {"d": [1, 2, {"e": "f"}]}}}}
  })");
  const value back = round_trip(v);
  CHECK(back == v);
  CHECK(back["i"].is_number_integer());
  CHECK(back["f"].is_number_float());
  CHECK(back["huge"].is_number_float());
  CHECK(back["empty_arr"].is_array());
  CHECK(back["empty_obj"].is_object());
}

TEST_CASE("lua convert: a filter keeps the incoming key order; new keys come last") {
  auto f = make_filter(write_lua("reorder", R"lua(
return function(e) e.added = 1 e.b.inner_added = true e.z = nil return e end
)lua"),
                       {}, quick_options());
  std::vector<value> out;
  REQUIRE(
      f->apply(value::parse(R"({"z":0,"m":1,"b":{"y":1,"x":2},"a":3,"c":[{"q":1,"p":2}]})"), out)
          .ok);
  REQUIRE(out.size() == 1);
  CHECK(out[0].dump() ==
        R"({"m":1,"b":{"y":1,"x":2,"inner_added":true},"a":3,"c":[{"q":1,"p":2}],"added":1})");
}

TEST_CASE("lua convert: Lua-made tables: sequences are arrays, other tables objects") {
  auto f = make_filter(write_lua("maker", R"lua(
return function(e)
  return {
    seq = {10, 20, 30}, holes = {[1] = "a", [3] = "c"}, mixed = {1, 2, x = 3},
    empty = {}, marked = json.array(), marked_full = json.array({1, 2}),
    int = 3, float = 3.5, whole_float = 4.0, negzero = -0.0, big = 2^53, huger = 2^70,
    numkey = {[1.5] = "x"}, str = "ü",
  }
end
)lua"),
                       {}, quick_options());
  std::vector<value> out;
  REQUIRE(f->apply(value::object(), out).ok);
  REQUIRE(out.size() == 1);
  const value& r = out[0];
  CHECK(r["seq"] == value{10, 20, 30});
  CHECK(same(r["holes"], value::parse(R"({"1":"a","3":"c"})")));
  CHECK(same(r["mixed"], value::parse(R"({"1":1,"2":2,"x":3})")));
  CHECK(r["empty"] == value::object());
  CHECK(r["marked"] == value::array());
  CHECK(r["marked_full"] == value{1, 2});
  CHECK(r["int"].is_number_integer());
  CHECK(r["float"] == 3.5);
  CHECK(r["whole_float"].is_number_integer());  // Lua 5.1 has no integer subtype
  CHECK(r["negzero"] == 0);
  CHECK(r["big"] == 9007199254740992);
  CHECK(r["huger"].is_number_float());
  CHECK(r["numkey"] == value::parse(R"({"1.5":"x"})"));
  CHECK(r["str"] == "ü");
}

TEST_CASE("lua convert: json.encode / json.decode inside Lua") {
  lua_harness h;
  h.run_code("jsonrt", R"lua(
return function(queue)
  local text = [[{"a":[1,2.5,"x",null,{"b":[]}],"c":{},"d":"é"}]]
  local v = json.decode(text)
  queue:put({again = json.encode(v), text = text, pretty = json.encode({k = 1}, 2)})
  local ok, err = pcall(json.decode, "{nope")
  queue:put({ok = ok, err = err})
  local ok2, err2 = pcall(json.encode, {f = print})
  queue:put({ok = ok2, err = err2})
end
)lua");
  REQUIRE(h.sink.events.size() == 3);
  CHECK(same(value::parse(h.sink.events[0]["again"].get<std::string>()),
             value::parse(h.sink.events[0]["text"].get<std::string>())));
  CHECK(h.sink.events[0]["pretty"] == "{\n  \"k\": 1\n}");
  CHECK(h.sink.events[1]["ok"] == false);
  CHECK(h.sink.events[1]["err"].get<std::string>().find("json.decode: ") != std::string::npos);
  CHECK(h.sink.events[2]["err"].get<std::string>().find(
            "json.encode: at .f: cannot convert a function") != std::string::npos);
}

TEST_CASE("lua convert: valid_utf8") {
  using rb::sources::lua::detail::valid_utf8;
  const auto ok = [](std::string_view s) { return valid_utf8(s.data(), s.size()); };
  CHECK(ok("plain ascii text longer than eight bytes"));
  CHECK(ok("é✓🎉"));
  CHECK_FALSE(ok("\xff"));
  CHECK_FALSE(ok("\xc3"));              // truncated
  CHECK_FALSE(ok("\xc0\xaf"));          // overlong
  CHECK_FALSE(ok("\xed\xa0\x80"));      // surrogate
  CHECK_FALSE(ok("\xf4\x90\x80\x80"));  // > U+10FFFF
}
