#include <doctest/doctest.h>

#include <cstdlib>
#include <vector>

#include "app/cli.h"

using namespace rb::app;

namespace {

std::variant<cli_options, cli_exit> parse(std::vector<const char*> args) {
  args.insert(args.begin(), "rulebook");
  return parse_cli(static_cast<int>(args.size()), args.data());
}

int exit_code(const std::variant<cli_options, cli_exit>& r) {
  return std::holds_alternative<cli_exit>(r) ? std::get<cli_exit>(r).code : -1;
}

}  // namespace

TEST_CASE("ansible-rulebook's flags parse into options") {
  const auto r = parse({"-r", "rb.yml", "-e", "vars.yml", "-E", "A,B", "-i", "inv.yml", "-S", "d1",
                        "-S", "d2", "-vv", "--print-events", "--audit-log", "a.jsonl",
                        "--shutdown-delay", "2.5", "--log-format", "json", "--id", "act-1"});
  REQUIRE(std::holds_alternative<cli_options>(r));
  const auto& o = std::get<cli_options>(r);
  CHECK(o.rulebook == "rb.yml");
  CHECK(o.vars_file == "vars.yml");
  CHECK(o.env_vars == std::vector<std::string>{"A", "B"});
  CHECK(o.inventory == "inv.yml");
  CHECK(o.source_dirs == std::vector<std::string>{"d1", "d2"});
  CHECK(o.verbosity == 2);
  CHECK(o.print_events);
  CHECK(o.audit_log == "a.jsonl");
  CHECK(o.shutdown_delay == doctest::Approx(2.5));
  CHECK(o.format == log_format::json);
  CHECK(o.id == "act-1");
}

TEST_CASE("HA flags fall back to their EDA_HA_* environment variables") {
  setenv("EDA_HA_UUID", "550e8400-e29b-41d4-a716-446655440000", 1);
  setenv("EDA_HA_POLL_INTERVAL", "3", 1);
  setenv("EDA_HA_WORKER_ID", "w-env", 1);
  setenv("EDA_HA_POSTGRES_DSN", "postgresql://u:p@localhost/db", 1);
  const auto r = parse({"-r", "rb.yml", "--ha-worker-id", "w-flag"});
  unsetenv("EDA_HA_UUID");
  unsetenv("EDA_HA_POLL_INTERVAL");
  unsetenv("EDA_HA_WORKER_ID");
  unsetenv("EDA_HA_POSTGRES_DSN");
  REQUIRE(std::holds_alternative<cli_options>(r));
  const auto& o = std::get<cli_options>(r);
  CHECK(o.ha_uuid == "550e8400-e29b-41d4-a716-446655440000");
  CHECK(o.ha_poll_interval == doctest::Approx(3.0));
  CHECK(o.ha_worker_id == "w-flag");  // the flag wins over the environment
  CHECK(o.ha_postgres_dsn == "postgresql://u:p@localhost/db");
}

TEST_CASE("execution strategy and -m: flag, then EDA_* variable, then default; -m 0 means 25") {
  auto opts = [](std::vector<const char*> args) {
    const auto r = parse(std::move(args));
    REQUIRE(std::holds_alternative<cli_options>(r));
    return std::get<cli_options>(r);
  };
  CHECK(opts({"-r", "x"}).execution_strategy == "sequential");
  CHECK(opts({"-r", "x"}).max_concurrent_actions == 25);
  setenv("EDA_EXECUTION_STRATEGY", "parallel", 1);
  setenv("EDA_MAX_CONCURRENT_ACTIONS", "3", 1);
  CHECK(opts({"-r", "x"}).execution_strategy == "parallel");
  CHECK(opts({"-r", "x"}).max_concurrent_actions == 3);
  CHECK(opts({"-r", "x", "--execution-strategy", "sequential"}).execution_strategy ==
        "sequential");
  CHECK(opts({"-r", "x", "-m", "7"}).max_concurrent_actions == 7);
  unsetenv("EDA_EXECUTION_STRATEGY");
  unsetenv("EDA_MAX_CONCURRENT_ACTIONS");
  CHECK(opts({"-r", "x", "-m", "0"}).max_concurrent_actions == 25);
  CHECK(exit_code(parse({"-r", "x", "-m", "-1"})) == 2);
}

TEST_CASE("usage errors exit 2 and name the flag") {
  const auto unknown = parse({"-r", "x", "--nope"});
  CHECK(exit_code(unknown) == 2);
  CHECK(std::get<cli_exit>(unknown).text.find("nope") != std::string::npos);
  CHECK(exit_code(parse({})) == 2);
  CHECK(exit_code(parse({"-r", "x", "--ha-poll-interval", "0"})) == 2);
  CHECK(exit_code(parse({"-r", "x", "--execution-strategy", "random"})) == 2);
  CHECK(exit_code(parse({"-r", "x", "-m", "x"})) == 2);
  CHECK(exit_code(parse({"-r", "x", "extra-positional"})) == 2);
}

TEST_CASE("--help and --version exit 0") {
  CHECK(exit_code(parse({"--help"})) == 0);
  CHECK(exit_code(parse({"--version"})) == 0);
}

TEST_CASE("controller flags and their EDA_CONTROLLER_* variables") {
  SUBCASE("flags") {
    const auto r = parse({"-r", "rb.yml", "--controller-url", "https://awx:8043",
                          "--controller-token", "tok", "--controller-ssl-verify", "/ca.pem"});
    REQUIRE(std::holds_alternative<cli_options>(r));
    const auto& c = std::get<cli_options>(r).controller;
    CHECK(c.url == "https://awx:8043");
    CHECK(c.token == "tok");
    CHECK(c.ssl_verify == "/ca.pem");
    CHECK(c.poll_interval == std::chrono::seconds(10));
  }
  SUBCASE("variables; a flag wins over its variable") {
    setenv("EDA_CONTROLLER_URL", "http://env:80", 1);
    setenv("EDA_CONTROLLER_USERNAME", "u", 1);
    setenv("EDA_CONTROLLER_PASSWORD", "p", 1);
    setenv("EDA_CONTROLLER_SSL_VERIFY", "no", 1);
    setenv("EDA_JOB_TEMPLATE_REFRESH_DELAY", "0.5", 1);
    const auto r = parse({"-r", "rb.yml", "--controller-url", "https://flag"});
    for (const char* v :
         {"EDA_CONTROLLER_URL", "EDA_CONTROLLER_USERNAME", "EDA_CONTROLLER_PASSWORD",
          "EDA_CONTROLLER_SSL_VERIFY", "EDA_JOB_TEMPLATE_REFRESH_DELAY"})
      unsetenv(v);
    REQUIRE(std::holds_alternative<cli_options>(r));
    const auto& c = std::get<cli_options>(r).controller;
    CHECK(c.url == "https://flag");
    CHECK(c.username == "u");
    CHECK(c.password == "p");
    CHECK(c.token.empty());
    CHECK(c.ssl_verify == "no");
    CHECK(c.poll_interval == std::chrono::milliseconds(500));
  }
  SUBCASE("usage errors") {
    CHECK(exit_code(parse(
              {"-r", "rb.yml", "--controller-url", "awx:8043", "--controller-token", "t"})) == 2);
    CHECK(exit_code(parse({"-r", "rb.yml", "--controller-url", "https://awx"})) == 2);
    CHECK(exit_code(parse({"-r", "rb.yml", "--controller-url", "https://awx",
                           "--controller-username", "u"})) == 2);
    setenv("EDA_JOB_TEMPLATE_REFRESH_DELAY", "soon", 1);
    CHECK(exit_code(parse({"-r", "rb.yml"})) == 2);
    unsetenv("EDA_JOB_TEMPLATE_REFRESH_DELAY");
    CHECK(exit_code(parse({"-r", "rb.yml"})) == -1);  // no controller: fine
  }
}

TEST_CASE("--datacenter, --region, --check-source-address: flag, then EDA_* variable, then none") {
  auto opts = [](std::vector<const char*> args) {
    const auto r = parse(std::move(args));
    REQUIRE(std::holds_alternative<cli_options>(r));
    return std::get<cli_options>(r);
  };
  CHECK(opts({"-r", "x"}).datacenter == "");
  CHECK(opts({"-r", "x"}).region == "");
  CHECK(opts({"-r", "x"}).check_source_address == "");
  setenv("EDA_DATACENTER", "VA", 1);
  setenv("EDA_REGION", "us-east", 1);
  setenv("EDA_CHECK_SOURCE_ADDRESS", "127.0.0.2", 1);
  CHECK(opts({"-r", "x"}).datacenter == "VA");
  CHECK(opts({"-r", "x"}).region == "us-east");
  CHECK(opts({"-r", "x"}).check_source_address == "127.0.0.2");
  const auto o = opts(
      {"-r", "x", "--datacenter", "NY", "--region", "us-north", "--check-source-address", "eth1"});
  CHECK(o.datacenter == "NY");
  CHECK(o.region == "us-north");
  CHECK(o.check_source_address == "eth1");
  unsetenv("EDA_DATACENTER");
  unsetenv("EDA_REGION");
  unsetenv("EDA_CHECK_SOURCE_ADDRESS");
}
