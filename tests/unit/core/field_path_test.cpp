#include "core/field_path.h"

#include <doctest/doctest.h>

#include "core/clock.h"
#include "core/uuid.h"

using rb::field_path;
using rb::path_step;
using rb::value;

namespace {
path_step key(const char* k) { return {path_step::kind::key, k, 0}; }
path_step idx(long i) { return {path_step::kind::index, {}, i}; }
}  // namespace

TEST_CASE("resolve walks keys and indexes, negative from the end") {
  const value v = value::parse(R"({"a": {"b c": [1, 2, {"d": 3}]}})");
  CHECK(*rb::resolve(v, {key("a"), key("b c"), idx(0)}) == 1);
  CHECK(*rb::resolve(v, {key("a"), key("b c"), idx(-1), key("d")}) == 3);
  CHECK(rb::resolve(v, {key("a"), key("missing")}) == nullptr);
  CHECK(rb::resolve(v, {key("a"), key("b c"), idx(3)}) == nullptr);
  CHECK(rb::resolve(v, {key("a"), key("b c"), idx(-4)}) == nullptr);
  CHECK(rb::resolve(v, {key("a"), idx(0)}) == nullptr);  // index into an object
  CHECK(rb::resolve(v, {}) == &v);
}

TEST_CASE("paths render back to text") {
  CHECK(rb::to_string(field_path{key("a"), key("b c"), idx(-1), key("d")}) == "a[\"b c\"][-1].d");
}

TEST_CASE("uuid4 has the v4 shape and does not repeat") {
  const std::string a = rb::uuid4(), b = rb::uuid4();
  REQUIRE(a.size() == 36);
  CHECK(a[8] == '-');
  CHECK(a[14] == '4');
  CHECK((a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b'));
  CHECK(a != b);
}

TEST_CASE("utc timestamps are ISO 8601 with microseconds and Z") {
  const auto tp =
      std::chrono::system_clock::time_point(std::chrono::microseconds(1700000000123456));
  CHECK(rb::utc_iso(tp) == "2023-11-14T22:13:20.123456Z");
  const std::string now = rb::utc_now_iso();
  CHECK(now.size() == 27);
  CHECK(now.back() == 'Z');
}

TEST_CASE("JSON paths: dots, brackets, quoted keys, negative indexes") {
  rb::field_path p;
  REQUIRE(rb::parse_field_path(R"(a.b[0]["c d"][-1])", p));
  CHECK(rb::to_string(p) == R"(a.b[0]["c d"][-1])");
  REQUIRE(rb::parse_field_path("items.0.name", p));
  CHECK(p.size() == 3);
  CHECK(p[1].type == rb::path_step::kind::index);
  CHECK_FALSE(rb::parse_field_path("", p));
  CHECK_FALSE(rb::parse_field_path("a.", p));
  CHECK_FALSE(rb::parse_field_path("a[x]", p));
}
