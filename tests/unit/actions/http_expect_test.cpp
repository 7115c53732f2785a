// http_check's building blocks: reading a check from a mapping, reading `expect`, and judging a
// response against it (each failed condition named with what was expected and what came).
#include "actions/http_expect.h"

#include <doctest/doctest.h>

#include "actions/check_spec.h"

using namespace rb::actions;
using rb::value;

namespace {

rb::http_response answer(long status, std::string body, double total_ms = 10) {
  rb::http_response r;
  r.responded = true;
  r.status = status;
  r.bytes = body.size();
  r.body = std::move(body);
  r.time.total_ms = total_ms;
  return r;
}

expectation expect_of(const char* json) {
  expectation e;
  const std::string err = read_expectation(value::parse(json), e);
  REQUIRE(err == "");
  return e;
}

std::vector<std::string> names(const value& failed) {
  std::vector<std::string> out;
  for (const auto& f : failed) out.push_back(f["condition"].get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("check_spec: defaults, overrides, JSON bodies, errors naming the key") {
  check_spec s;
  REQUIRE(read_check_spec("http_check",
                          value::parse(R"({"url": "http://h/x", "name": "api", "id": 12,
                                           "datacenter": "va", "timeout": 2.5, "method": "post",
                                           "body": {"a": 1}, "ip_version": 6})"),
                          s) == "");
  CHECK(s.request.url == "http://h/x");
  CHECK(s.name == "api");
  CHECK(s.id == 12);
  CHECK(s.datacenter == "va");
  CHECK(s.request.timeout.count() == 2500);
  CHECK(s.request.method == "POST");
  CHECK(s.request.body == R"({"a":1})");
  CHECK(s.request.ip == rb::http_request::ip_family::v6);
  REQUIRE(s.request.headers.size() == 1);
  CHECK(s.request.headers[0].first == "Content-Type");
  // Arguments overlay a monitor: only the keys given change.
  REQUIRE(read_check_spec("http_check", value::parse(R"({"timeout": 1})"), s) == "");
  CHECK(s.request.url == "http://h/x");
  CHECK(s.request.timeout.count() == 1000);

  check_spec t;
  CHECK(read_check_spec("http_check", value::parse(R"({"url": "http://h/"})"), t) == "");
  CHECK(t.name == "http://h/");  // the URL names an unnamed check
  CHECK(t.request.method == "GET");
  check_spec u;
  CHECK(read_check_spec("http_check", value::parse(R"({"url": "http://h/", "timeout": 0})"), u) ==
        "http_check: 'timeout' must be a number of seconds above 0 (got 0)");
  check_spec v;
  CHECK(read_check_spec("http_check", value::parse(R"({"name": "x"})"), v) ==
        "http_check: no 'url' to check");
  CHECK(read_check_spec("http_check", value::parse(R"({"url": "h", "ip_version": 5})"), u) ==
        "http_check: 'ip_version' must be 4, 6 or \"any\" (got 5)");
}

TEST_CASE("expect: status defaults to any 2xx, accepts codes, classes and lists") {
  expectation none;
  CHECK(failed_conditions(none, answer(204, ""), 0).empty());
  const value f = failed_conditions(none, answer(503, ""), 0);
  REQUIRE(f.size() == 1);
  CHECK(f[0] == value::parse(R"({"condition": "status", "expected": "2xx", "actual": 503})"));
  CHECK(failed_conditions(expect_of(R"({"status": [200, "3xx"]})"), answer(302, ""), 0).empty());
  CHECK(names(failed_conditions(expect_of(R"({"status": 404})"), answer(200, ""), 0)) ==
        std::vector<std::string>{"status"});
  CHECK(failed_conditions(expect_of(R"({"status": "404"})"), answer(404, ""), 0).empty());
}

TEST_CASE("expect: body, regex, JSON paths, time and certificate days, each pass and fail") {
  const auto e = expect_of(R"({"body_contains": "ok", "body_regex": "v[0-9]+\\.[0-9]+",
                               "json": {"status": "ok", "items[1].n": 2, "meta.count": 3},
                               "max_response_ms": 100, "min_cert_days": 10})");
  rb::http_response good =
      answer(200, R"({"status": "ok", "version": "v1.2", "items": [{"n": 1}, {"n": 2.0}],
                     "meta": {"count": 3}})",
             50);
  good.cert_expires_at = 1000 + 30 * 86400;
  CHECK(failed_conditions(e, good, 1000).empty());

  rb::http_response bad = answer(200, R"({"status": "down", "items": []})", 150);
  const value f = failed_conditions(e, bad, 1000);
  // In the order written (mappings keep their order).
  CHECK(names(f) == std::vector<std::string>{"body_contains", "body_regex", "json.status",
                                             "json.items[1].n", "json.meta.count",
                                             "max_response_ms", "min_cert_days"});
  CHECK(f[2]["actual"] == "down");
  CHECK(f[3]["actual"] == "(missing)");
  CHECK(f[5]["actual"] == 150.0);
  CHECK(f[6]["actual"] == "(no certificate)");

  rb::http_response soon = good;
  soon.cert_expires_at = 1000 + 5 * 86400;
  const value g = failed_conditions(e, soon, 1000);
  REQUIRE(names(g) == std::vector<std::string>{"min_cert_days"});
  CHECK(g[0]["actual"] == 5.0);
  CHECK(names(failed_conditions(expect_of(R"({"json": {"a": 1}})"), answer(200, "<html>"), 0)) ==
        std::vector<std::string>{"json.a"});
}

TEST_CASE("expect: bad conditions are errors naming the key") {
  expectation e;
  CHECK(
      read_expectation(value::parse(R"({"statsu": 200})"), e).find("unknown condition 'statsu'") !=
      std::string::npos);
  CHECK(read_expectation(value::parse(R"({"status": 999})"), e).find("'status' must be") !=
        std::string::npos);
  CHECK(read_expectation(value::parse(R"({"body_regex": "("})"), e)
            .find("'body_regex' does not compile") != std::string::npos);
  CHECK(read_expectation(value::parse(R"({"json": {"a..b": 1}})"), e) ==
        "expect: 'json' has a bad field path 'a..b'");
  CHECK(read_expectation(value::parse(R"({"max_response_ms": -1})"), e)
            .find("'max_response_ms' must be a number") != std::string::npos);
}
