// event_json: the fast parser of plugin events gives exactly value::parse's results and errors.
#include "sources/so/event_json.h"

#include <doctest/doctest.h>

#include <functional>
#include <random>
#include <string>

using rb::value;
using rb::sources::so::parse_event;
using rb::sources::so::parse_event_fast;

namespace {

// Same value, same JSON types all the way down (unsigned vs signed integers included).
bool identical(const value& a, const value& b) {
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    auto ib = b.begin();
    for (auto ia = a.begin(); ia != a.end(); ++ia, ++ib) {
      if (ia.key() != ib.key() || !identical(ia.value(), ib.value())) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!identical(a[i], b[i])) return false;
    return true;
  }
  return a == b;
}

std::string parse_error(const std::string& text) {
  try {
    const value v = parse_event(text.data(), text.size());
    (void)v;
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

std::string nlohmann_error(const std::string& text) {
  try {
    const value v = value::parse(text);
    (void)v;
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("event_json: the fast path takes the common subset and matches value::parse") {
  for (const std::string text : {
           R"({"n":0})",
           R"({"n":123456789012345678})",
           R"({"n":-5,"m":-0})",
           R"( { "a" : 1 , "b" : [ 1 , -2 , "x" , true , false , null , { } , [ ] ] } )",
           "{\n\t\"nested\": {\"deep\": {\"er\": [[[]]]}}\r\n}",
           R"({"":""})",
           R"({"dup":1,"other":2,"dup":3})",
           R"({"dup":{"a":1},"dup":[1]})",
           R"([1,2,3])",
           R"("just a string")",
           "0",
           "-1",
           "true",
           "null",
           R"({"host":"web-01","severity":"error","count":3,"tags":["a","b"]})",
       }) {
    CAPTURE(text);
    const auto fast = parse_event_fast(text.data(), text.size());
    REQUIRE(fast.has_value());
    CHECK(identical(*fast, value::parse(text)));
    CHECK(fast->dump() == value::parse(text).dump());
  }
  // Non-negative integers are unsigned, negative ones signed, exactly as value::parse makes them.
  CHECK(parse_event_fast("5", 1)->is_number_unsigned());
  CHECK(parse_event_fast("-5", 2)->is_number_integer());
}

TEST_CASE("event_json: text outside the subset goes to value::parse, with the same result") {
  for (const std::string text : {
           R"({"f":1.5})",
           R"({"e":1e3})",
           R"({"E":-2E-2})",
           R"({"big":1234567890123456789})",
           R"({"huge":-99999999999999999999999})",
           R"({"esc":"a\"b\\c\n\u00e9\ud83d\ude00"})",
           "{\"utf8\":\"caf\xc3\xa9\"}",
           R"({"k\u0041y":1})",
       }) {
    CAPTURE(text);
    CHECK_FALSE(parse_event_fast(text.data(), text.size()).has_value());
    CHECK(identical(parse_event(text.data(), text.size()), value::parse(text)));
  }
  // Deep nesting is left to value::parse too.
  std::string deep = std::string(100, '[') + std::string(100, ']');
  CHECK_FALSE(parse_event_fast(deep.data(), deep.size()).has_value());
  CHECK(identical(parse_event(deep.data(), deep.size()), value::parse(deep)));
}

TEST_CASE("event_json: invalid text throws value::parse's own error") {
  for (const std::string text : {
           "",
           " ",
           "{",
           "}",
           R"({"a")",
           R"({"a":})",
           R"({"a":1,})",
           R"({"a":1 "b":2})",
           R"({a:1})",
           R"({"a":01})",
           R"({"a":-})",
           R"({"a":1.})",
           R"({"a":tru})",
           R"({"a":truex})",
           R"({"a":1}x)",
           R"({"a":1}{})",
           "[1,]",
           "[1 2]",
           "\"open",
           "{\"ctl\":\"a\x01b\"}",
           "{\"bad\":\"\xff\"}",
           R"({"a":nul})",
           "-",
           "--1",
           "+1",
       }) {
    CAPTURE(text);
    CHECK_FALSE(parse_event_fast(text.data(), text.size()).has_value());
    const std::string expected = nlohmann_error(text);
    REQUIRE_FALSE(expected.empty());
    CHECK(parse_error(text) == expected);
  }
}

TEST_CASE("event_json: random documents parse identically") {
  std::mt19937 rng(42);
  const auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  // Random JSON text from the fast subset and slightly beyond (floats, escapes, spaces).
  std::function<std::string(int)> gen = [&](int depth) -> std::string {
    const auto ws = [&] { return std::string(static_cast<std::size_t>(pick(3)), ' '); };
    switch (depth > 3 ? pick(6) : pick(8)) {
      case 0:
        return std::to_string(static_cast<long long>(rng()) - (1LL << 31));
      case 1:
        return pick(2) ? "true" : (pick(2) ? "false" : "null");
      case 2:
        return pick(4) ? "\"s" + std::to_string(pick(100)) + "\"" : "\"a\\tb\"";
      case 3:
        return std::to_string(pick(1000)) + (pick(3) == 0 ? ".25" : "");
      case 4:
        return "\"\"";
      case 5:
        return std::to_string(pick(10));
      case 6: {
        std::string s = "{" + ws();
        const int n = pick(4);
        for (int i = 0; i < n; ++i)
          s += (i ? "," : "") + ws() + "\"k" + std::to_string(pick(5)) + "\"" + ws() + ":" + ws() +
               gen(depth + 1) + ws();
        return s + "}";
      }
      default: {
        std::string s = "[" + ws();
        const int n = pick(4);
        for (int i = 0; i < n; ++i) s += (i ? "," : "") + ws() + gen(depth + 1) + ws();
        return s + "]";
      }
    }
  };
  int fast_taken = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string text = gen(0);
    CAPTURE(text);
    if (parse_event_fast(text.data(), text.size())) ++fast_taken;
    CHECK(identical(parse_event(text.data(), text.size()), value::parse(text)));
  }
  CHECK(fast_taken > 1000);
}
