#include "actions/check_summary.h"

#include <doctest/doctest.h>

using rb::actions::check_summary;
using namespace std::chrono_literals;

TEST_CASE("check_summary: one line per window, each monitor's last result, the down ones named") {
  check_summary s(30s);
  const auto t0 = check_summary::clock::time_point{} + 1000s;
  CHECK_FALSE(s.add("web", true, "", t0));
  CHECK_FALSE(s.add("api", false, "status 503 (expected 2xx)", t0 + 5s));
  CHECK_FALSE(s.add("api", false, "status 500 (expected 2xx)", t0 + 10s));
  CHECK_FALSE(s.add("db", false, "Could not connect", t0 + 20s));
  CHECK_FALSE(s.add("db", true, "", t0 + 25s));  // recovered: its last result counts
  const auto line = s.add("web", true, "", t0 + 31s);
  REQUIRE(line);
  CHECK(*line ==
        "http_check: 6 check(s) of 3 monitor(s) in the last 31 s: 2 up, 1 DOWN: api (status 500 "
        "(expected 2xx))");
  // A new window starts with the line: nothing is repeated.
  CHECK_FALSE(s.add("web", true, "", t0 + 40s));
  const auto next = s.add("web", true, "", t0 + 62s);
  REQUIRE(next);
  CHECK(*next == "http_check: 2 check(s) of 1 monitor(s) in the last 31 s: 1 up");
}
