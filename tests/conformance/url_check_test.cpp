// ansible.eda.url_check with the real binary against a real loopback HTTP server.
#include <cstdlib>

#include "conformance.h"
#include "support/http_server.h"

using namespace conformance;

namespace {

// A loopback server and a URL nothing answers, passed to the rulebook as RB_TEST_BASE_URL and
// RB_TEST_CLOSED_URL (read with -E).
struct loopback_targets {
  rb::test::http_server server;
  std::string closed = "http://127.0.0.1:" + std::to_string(rb::test::closed_loopback_port()) + "/";
  loopback_targets() {
    ::setenv("RB_TEST_BASE_URL", server.url("").c_str(), 1);
    ::setenv("RB_TEST_CLOSED_URL", closed.c_str(), 1);
  }
};

}  // namespace

TEST_CASE("url_check: up, down with a code, down with an error, in the order of urls") {
  loopback_targets t;
  const auto& server = t.server;
  const std::string& closed = t.closed;
  const auto o = run("sources_url_check.yml", {"-E", "RB_TEST_BASE_URL,RB_TEST_CLOSED_URL"});
  CHECK(o.run.exit_code == 0);
  REQUIRE(o.actions() ==
          strings{"up::noop", "down with a code::noop", "up::noop", "unreachable::shutdown"});
  const auto recs = o.action_records();
  CHECK(events_of(recs[0]) ==
        value{{"m",
               {{"url_check",
                 {{"url", server.url("/ok")}, {"status", "up"}, {"status_code", 200}}}}}});
  CHECK(events_of(recs[1]) ==
        value{{"m",
               {{"url_check",
                 {{"url", server.url("/missing")}, {"status", "down"}, {"status_code", 404}}}}}});
  CHECK(events_of(recs[2])["m"]["url_check"]["status_code"] == 200);  // after the redirect
  const value& down = recs[3]["matching_events"]["m"]["url_check"];
  CHECK(down["url"] == closed);
  CHECK(down["status"] == "down");
  CHECK_FALSE(down.contains("status_code"));
  CHECK(down["error_msg"].get<std::string>().find("onnect") != std::string::npos);
  CHECK(recs[3]["matching_events"]["m"]["meta"]["source"]["type"] == "ansible.eda.url_check");
  CHECK(server.served() == 4);  // /ok, /missing, /redirect and the /ok it leads to
}

TEST_CASE("url_check: bad arguments are start-up errors naming the argument") {
  rb::test::temp_dir dir;
  const std::string rb = dir.write("bad.yml", R"(
- name: bad
  hosts: all
  sources:
    - ansible.eda.url_check:
        urls: http://example.com/
  rules:
    - name: r
      condition: true
      action:
        none:
)");
  const auto r = rb::test::run_rulebook({"-r", rb});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("url_check: argument 'urls' must be a list of URLs") != std::string::npos);
}

TEST_CASE("Lua http.request: yields until the answer, returns status, headers, body, timings") {
  const loopback_targets targets;
  const auto o = run("sources_lua_http.yml", {"-E", "RB_TEST_BASE_URL,RB_TEST_CLOSED_URL", "-S",
                                              rb::test::source_path("tests/conformance/sources")});
  CHECK(o.run.exit_code == 0);
  const auto recs = o.action_records();
  REQUIRE(recs.size() == 4);
  // Lua tables have no key order: compare as plain JSON objects.
  CHECK(nlohmann::json(events_of(recs[0])) ==
        nlohmann::json::parse(R"({"m": {"path": "/ok", "ok": true, "status": 200, "body": "hello",
                                        "bytes": 5, "length": "5", "timed": true,
                                        "ip": "127.0.0.1"}})"));
  CHECK(events_of(recs[1])["m"]["status"] == 404);
  CHECK(nlohmann::json(events_of(recs[2])) ==
        nlohmann::json::parse(R"({"m": {"path": "capped", "body": "he", "bytes": 5}})"));
  const value failed = events_of(recs[3])["m"];
  CHECK(failed["ok"] == false);
  CHECK(failed["has_status"] == false);
  CHECK(failed["error"].get<std::string>().find("onnect") != std::string::npos);
}
