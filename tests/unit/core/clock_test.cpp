#include "core/clock.h"

#include <doctest/doctest.h>

using namespace rb;

TEST_CASE("utc_iso_ms and parse_utc_iso agree") {
  const std::int64_t us = 1795849795123456;  // 2026-11-28T07:09:55.123456Z
  CHECK(utc_iso_ms(us) == "2026-11-28T07:09:55.123Z");
  CHECK(parse_utc_iso("2026-11-28T07:09:55.123Z") == us - 456);
  CHECK(parse_utc_iso(std::string(utc_stamp(us).view())) == us);
  CHECK(parse_utc_iso("2026-11-28 07:09:55+00:00") == us - 123456);
  CHECK(parse_utc_iso("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_utc_iso("2000-02-29T12:00:00Z") == 951825600LL * 1000000);
  CHECK_FALSE(parse_utc_iso("2026-11-28T07:09:55"));  // no zone
  CHECK_FALSE(parse_utc_iso("2026-11-28T07:09:55+02:00"));
  CHECK_FALSE(parse_utc_iso("2026-13-28T06:29:55Z"));
  CHECK_FALSE(parse_utc_iso("yesterday"));
  CHECK_FALSE(parse_utc_iso("2026-11-28T07:09:55.Z"));
}
