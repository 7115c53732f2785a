// The command line: exit codes and messages for help, version and usage errors.
#include <doctest/doctest.h>

#include "harness.h"

using namespace rb::test;

TEST_CASE("--help lists the flags and exits 0") {
  const auto r = run_rulebook({"--help"});
  CHECK(r.exit_code == 0);
  for (const char* flag : {"--rulebook", "--vars", "--env-vars", "--inventory", "--source-dir",
                           "--verbose", "--print-events", "--audit-log", "--shutdown-delay",
                           "--log-format", "--ha-postgres-dsn", "--ha-uuid", "--ha-poll-interval",
                           "--ha-worker-id", "--version", "--filter-dir", "--lua-allow",
                           "--lua-memory-limit", "--execution-strategy",
                           "--max-concurrent-actions"})
    CHECK_MESSAGE(r.out.find(flag) != std::string::npos, flag);
}

TEST_CASE("--version prints the version and exits 0") {
  const auto r = run_rulebook({"--version"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("rulebook ", 0) == 0);
}

TEST_CASE("usage errors exit 2 and name the flag") {
  SUBCASE("unknown flag") {
    const auto r = run_rulebook({"-r", source_path("rulebooks/hello.yml"), "--frobnicate"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("frobnicate") != std::string::npos);
  }
  SUBCASE("missing --rulebook") {
    const auto r = run_rulebook({"-v"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--rulebook") != std::string::npos);
  }
  SUBCASE("bad --log-format") {
    const auto r = run_rulebook({"-r", source_path("rulebooks/hello.yml"), "--log-format", "xml"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--log-format") != std::string::npos);
  }
  SUBCASE("bad --shutdown-delay") {
    const auto r =
        run_rulebook({"-r", source_path("rulebooks/hello.yml"), "--shutdown-delay", "soon"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--shutdown-delay") != std::string::npos);
  }
  SUBCASE("unset --env-vars variable") {
    const auto r = run_rulebook(
        {"-r", source_path("rulebooks/hello.yml"), "-E", "RB_TEST_SURELY_NOT_SET_42"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("RB_TEST_SURELY_NOT_SET_42") != std::string::npos);
  }
}

TEST_CASE("a missing rulebook file exits 1 naming the file") {
  const auto r = run_rulebook({"-r", "/nonexistent/rules.yml"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("/nonexistent/rules.yml") != std::string::npos);
}

TEST_CASE("an inventory that does not exist exits 1 naming it; one that exists is accepted") {
  const auto bad = run_rulebook(
      {"-r", source_path("rulebooks/hello.yml"), "-i", "/nonexistent/inventory.yml"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("/nonexistent/inventory.yml") != std::string::npos);
  const auto good = run_rulebook(
      {"-r", source_path("rulebooks/hello.yml"), "-i", source_path("rulebooks/hello.yml")});
  CHECK(good.exit_code == 0);
}

TEST_CASE("--log-format json writes one JSON object per log line") {
  temp_dir dir;
  const auto rb = dir.write("bad.yml", "- name: x\n  hosts: all\n  sources:\n    - nosuch_plugin:\n"
                                       "  rules:\n    - name: r\n      condition: event.i == 1\n"
                                       "      action:\n        none:\n");
  const auto r = run_rulebook({"-r", rb, "--log-format", "json"});
  CHECK(r.exit_code == 1);
  REQUIRE(!r.err.empty());
  std::size_t start = 0;
  int lines = 0;
  while (start < r.err.size()) {
    const std::size_t end = r.err.find('\n', start);
    const std::string line = r.err.substr(start, end - start);
    if (!line.empty()) {
      const auto rec = rb::value::parse(line);
      CHECK(rec.contains("level"));
      CHECK(rec.contains("message"));
      ++lines;
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  CHECK(lines >= 1);
  CHECK(r.err.find("nosuch_plugin") != std::string::npos);
}
