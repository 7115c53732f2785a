#include <doctest/doctest.h>

#include "filter_test_util.h"

using namespace rb::filters::test;

TEST_CASE("noop: passes the event through untouched") {
  auto r = run("noop", "", R"({"b-c": {"x y": [1, 2]}, "a": null})");
  CHECK(r.result.ok);
  CHECK(r.result.warning.empty());
  CHECK(r.text() == json(R"([{"b-c":{"x y":[1,2]},"a":null}])"));
  CHECK(run("eda.builtin.noop", "{}", "[1]").text() == "[[1]]");
}

TEST_CASE("noop: takes no arguments") {
  CHECK(build_error("noop", R"({"x": 1})") == "noop: unknown argument 'x' (allowed: none)");
}
