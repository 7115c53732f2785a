#include "rulebook/duration.h"

#include <doctest/doctest.h>

#include "rulebook/loader.h"

using namespace std::chrono_literals;
using rb::value;
using rb::rulebook::parse_duration;
using rb::rulebook::parse_duration_text;

TEST_CASE("parse_duration accepts ints as seconds and '<n> <unit>' strings") {
  std::chrono::milliseconds d{};
  CHECK(parse_duration(value(5), d));
  CHECK(d == 5s);
  CHECK(parse_duration(value(0), d));
  CHECK(d == 0ms);
  CHECK(parse_duration(value("1 second"), d));
  CHECK(d == 1s);
  CHECK(parse_duration(value("10 seconds"), d));
  CHECK(d == 10s);
  CHECK(parse_duration(value("1 minute"), d));
  CHECK(d == 1min);
  CHECK(parse_duration(value("5 minutes"), d));
  CHECK(d == 5min);
  CHECK(parse_duration(value("2 hours"), d));
  CHECK(d == 2h);
  CHECK(parse_duration(value("1 hour"), d));
  CHECK(d == 1h);
  CHECK(parse_duration(value("3 days"), d));
  CHECK(d == 72h);
  CHECK(parse_duration(value("1 day"), d));
  CHECK(d == 24h);
  CHECK(parse_duration(value("250 milliseconds"), d));
  CHECK(d == 250ms);
  CHECK(parse_duration(value("1 millisecond"), d));
  CHECK(d == 1ms);
  CHECK(parse_duration(value("1 minutes"), d));  // the schema's 's?' allows both forms
  CHECK(d == 1min);
}

TEST_CASE("parse_duration rejects what ansible-rulebook's schema rejects") {
  std::chrono::milliseconds d{};
  for (auto bad :
       {"2 hourz", "2hours", "2  hours", " 2 hours", "2 hours ", "2 Hours", "-2 hours", "2.5 hours",
        "hours", "2", "", "2 s", "2 hourss", "2 weeks", "99999999999999999999 days"}) {
    CHECK_MESSAGE(!parse_duration(value(bad), d), bad);
  }
  CHECK(!parse_duration(value(-1), d));
  CHECK(!parse_duration(value(1.5), d));
  CHECK(!parse_duration(value(true), d));
  CHECK(!parse_duration(value(nullptr), d));
}

TEST_CASE("milliseconds only where the schema allows them") {
  CHECK(parse_duration_text("5 milliseconds", true) == 5ms);
  CHECK(!parse_duration_text("5 milliseconds", false));
  CHECK(parse_duration_text("5 seconds", false) == 5s);
  CHECK(parse_duration_text("7\tseconds", false) == 7s);  // \s in the schema's pattern
}
