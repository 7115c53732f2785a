// The restart policy keys of a source entry: `restart: on-failure|never`, `max_restarts: N`.
#include <doctest/doctest.h>

#include "rulebook_test_util.h"

using rb::rulebook::restart_policy;

namespace {

std::string with_source(const std::string& entry) {
  return "- name: rs\n"
         "  hosts: all\n"
         "  sources:\n" +
         entry +
         "  rules:\n"
         "    - name: r\n"
         "      condition: event.i == 1\n"
         "      action:\n"
         "        debug:\n";
}

}  // namespace

TEST_CASE("restart defaults to never with max_restarts 5") {
  auto r = rbt::load(with_source("    - range:\n        limit: 1\n"));
  CHECK_OK(r);
  REQUIRE(r.model.rulesets.at(0).sources.size() == 1);
  const auto& src = r.model.rulesets[0].sources[0];
  CHECK(src.restart == restart_policy::never);
  CHECK(src.max_restarts == 5);
  CHECK(src.max_restarts == rb::rulebook::default_max_restarts);
}

TEST_CASE("restart: on-failure and max_restarts are read, and are not plugin keys") {
  auto r =
      rbt::load(with_source("    - name: flaky\n"
                            "      restart: on-failure\n"
                            "      max_restarts: 3\n"
                            "      tick:\n"
                            "        interval: 1\n"
                            "      filters:\n"
                            "        - noop:\n"));
  CHECK_OK(r);
  CHECK(r.warnings.empty());
  const auto& src = r.model.rulesets.at(0).sources.at(0);
  CHECK(src.plugin == "tick");
  CHECK(src.name == "flaky");
  CHECK(src.restart == restart_policy::on_failure);
  CHECK(src.max_restarts == 3);
  CHECK(src.args == rb::value{{"interval", 1}});
  CHECK(src.filters.size() == 1);

  r = rbt::load(with_source("    - tick:\n      restart: never\n      max_restarts: 0\n"));
  CHECK_OK(r);
  CHECK(r.model.rulesets.at(0).sources.at(0).restart == restart_policy::never);
  CHECK(r.model.rulesets.at(0).sources.at(0).max_restarts == 0);

  // The policy may come before or after the plugin key; 0 restarts is allowed.
  r = rbt::load(with_source("    - restart: on-failure\n      max_restarts: 0\n      tick:\n"));
  CHECK_OK(r);
  CHECK(r.warnings.empty());
  CHECK(r.model.rulesets.at(0).sources.at(0).plugin == "tick");
  CHECK(r.model.rulesets.at(0).sources.at(0).max_restarts == 0);
}

TEST_CASE("max_restarts without restart: on-failure is a warning") {
  auto r = rbt::load(with_source("    - tick:\n      max_restarts: 2\n"));
  CHECK_OK(r);
  CHECK_WARNING(r, "5:7", "max_restarts has no effect without 'restart: on-failure'");
}

TEST_CASE("bad restart values are errors at the value's file:line:col") {
  auto r = rbt::load(with_source("    - tick:\n      restart: always\n"));
  CHECK_ERROR(r, "5:16", "restart: unknown policy 'always'", "'on-failure' or 'never'");
  CHECK(r.errors.size() == 1);

  r = rbt::load(with_source("    - tick:\n      restart: on_failure\n"));
  CHECK_ERROR(r, "5:16", "unknown policy 'on_failure'", "did you mean 'on-failure'?");

  // PyYAML reads `no` as a boolean.
  r = rbt::load(with_source("    - tick:\n      restart: no\n"));
  CHECK_ERROR(r, "5:16", "restart: expected 'on-failure' or 'never', found a boolean");

  r = rbt::load(with_source("    - tick:\n      restart:\n"));
  CHECK_ERROR(r, "5:7", "restart: expected 'on-failure' or 'never', found null");

  r = rbt::load(with_source("    - tick:\n      restart: [on-failure]\n"));
  CHECK_ERROR(r, "5:16", "found a list");
}

TEST_CASE("bad max_restarts values are errors at the value's file:line:col") {
  const std::string head = "    - tick:\n      restart: on-failure\n";
  auto r = rbt::load(with_source(head + "      max_restarts: -1\n"));
  CHECK_ERROR(r, "6:21", "max_restarts: expected an integer from 0 to 1000000, found -1");
  CHECK(r.errors.size() == 1);

  r = rbt::load(with_source(head + "      max_restarts: 2.5\n"));
  CHECK_ERROR(r, "6:21", "max_restarts: expected an integer", "found a float");

  r = rbt::load(with_source(head + "      max_restarts: \"3\"\n"));
  CHECK_ERROR(r, "6:21", "max_restarts: expected an integer", "found a string");

  r = rbt::load(with_source(head + "      max_restarts: true\n"));
  CHECK_ERROR(r, "6:21", "found a boolean");

  r = rbt::load(with_source(head + "      max_restarts: 1000001\n"));
  CHECK_ERROR(r, "6:21", "found 1000001");

  r = rbt::load(with_source(head + "      max_restarts: {n: 1}\n"));
  CHECK_ERROR(r, "6:21", "found a mapping");

  r = rbt::load(with_source(head + "      max_restarts:\n"));
  CHECK_ERROR(r, "6:7", "found null");
}

TEST_CASE("a source with only restart keys has no plugin") {
  auto r = rbt::load(with_source("    - restart: on-failure\n      max_restarts: 1\n"));
  CHECK_ERROR(r, "4:7", "source has no plugin", "'restart' and 'max_restarts'");
}
