#include "core/json_text.h"

#include <doctest/doctest.h>

#include <random>
#include <string>

using rb::value;

namespace {

std::string reference(const value& v) {
  return v.dump(-1, ' ', false, value::error_handler_t::replace);
}

std::string fast(const value& v) {
  std::string out = "prefix:";  // appends, never replaces
  rb::append_json(out, v);
  return out.substr(7);
}

}  // namespace

TEST_CASE("append_json writes what dump() writes") {
  const value samples[] = {
      nullptr,
      true,
      false,
      0,
      -1,
      std::int64_t{-9223372036854775807LL - 1},
      std::uint64_t{18446744073709551615ULL},
      1.5,
      3.0,
      1e20,
      1e-5,
      "",
      "plain",
      "quote \" backslash \\ slash /",
      "controls \b\f\n\r\t \x01 \x1f \x7f",
      "utf-8: é ü 日本 😀",
      std::string("nul \0 inside", 12),
      "invalid \xff\xfe utf-8",
      "truncated \xe6\x97",
      "overlong \xc0\xaf and surrogate \xed\xa0\x80",
      value::array(),
      value::object(),
      value::parse(R"({"i": 1, "meta": {"source": {"name": "r", "type": "ansible.eda.range"},
                     "received_at": "2026-11-28T11:00:00.000000Z", "uuid": "x"},
                     "list": [1, 2.5, "a", null, [], {}], "nested": {"k\n": {"deep": [true]}}})"),
  };
  for (const auto& v : samples) {
    INFO(reference(v));
    CHECK(fast(v) == reference(v));
  }
}

TEST_CASE("append_json matches dump() on random strings of every byte") {
  std::mt19937 gen(42);
  std::uniform_int_distribution<int> len(0, 24), byte(0, 255), pick(0, 3);
  for (int round = 0; round < 20000; ++round) {
    std::string s;
    const int n = len(gen);
    for (int i = 0; i < n; ++i) {
      // Mostly ASCII, with runs of high bytes that are sometimes valid UTF-8.
      switch (pick(gen)) {
        case 0:
          s.push_back(static_cast<char>(byte(gen)));
          break;
        case 1:
          s += "é";
          break;
        case 2:
          s += "\xf0\x9f\x98\x80";
          break;
        default:
          s.push_back(static_cast<char>(0x20 + byte(gen) % 0x60));
          break;
      }
    }
    const value v = {{s, s}, {"list", value::array({s})}};
    INFO(reference(v));
    REQUIRE(fast(v) == reference(v));
  }
}
