// http_check and http_request with the real binary against a real loopback HTTP server.

#include <algorithm>
#include <cstdlib>
#include <map>
#include <thread>

#include "conformance.h"
#include "core/clock.h"
#include "support/http_server.h"
#include "support/sqlite_rows.h"
#include "support/test_pki.h"

using namespace conformance;

TEST_CASE("http_check: results come back as events; conditions named; http_request retries") {
  rb::test::http_server server;
  const std::string closed =
      "http://127.0.0.1:" + std::to_string(rb::test::closed_loopback_port()) + "/";
  ::setenv("RB_TEST_BASE_URL", server.url("").c_str(), 1);
  ::setenv("RB_TEST_CLOSED_URL", closed.c_str(), 1);
  rb::test::temp_dir dir;
  const std::string db = dir.path() + "/hb.db";
  const auto o = run("actions_http_check.yml", {"-E", "RB_TEST_BASE_URL,RB_TEST_CLOSED_URL",
                                                "--heartbeat-store", "sqlite:" + db});
  CHECK(o.run.exit_code == 0);
  const auto recs = o.action_records();
  REQUIRE(recs.size() == 7);

  std::map<std::string, value> checks;  // monitor name → the http_check event
  strings outcomes;
  for (const auto& r : recs) {
    if (r["rule"] == "passed" || r["rule"] == "failed") {
      const value& c = r["matching_events"]["m"]["http_check"];
      checks[c["monitor"].get<std::string>()] = c;
      outcomes.push_back(c["monitor"].get<std::string>() + ":" + r["rule"].get<std::string>());
    }
  }
  std::sort(outcomes.begin(), outcomes.end());
  CHECK(outcomes == strings{"closed-port:failed", "ok-page:passed", "wrong-page:failed"});

  const value& ok = checks["ok-page"];
  CHECK(ok["monitor_id"] == 12);
  CHECK(ok["url"] == server.url("/ok"));
  CHECK(ok["status_code"] == 200);
  CHECK(ok["failed_conditions"] == value::array());
  CHECK(ok["error"].is_null());
  CHECK(ok["response_bytes"] == 5);
  const value& t = ok["timings"];
  for (const char* phase : {"dns_ms", "connect_ms", "tls_ms", "ttfb_ms", "transfer_ms", "total_ms"})
    CHECK(t[phase].is_number());
  CHECK(t["total_ms"].get<double>() > 0);
  CHECK(rb::parse_utc_iso(ok["scheduled_at"].get<std::string>()).has_value());

  const value& wrong = checks["wrong-page"];
  CHECK(wrong["status_code"] == 404);
  CHECK(wrong["failed_conditions"] ==
        value::parse(R"j([{"condition": "status", "expected": "2xx", "actual": 404},
                          {"condition": "body_contains", "expected": "hello",
                           "actual": "(not found)"}])j"));
  CHECK(wrong["reason"] == "status 404 (expected 2xx); body_contains (not found) (expected hello)");
  CHECK(wrong["consecutive_failures"] == 1);
  CHECK(ok["consecutive_failures"] == 0);
  CHECK(ok["reason"].is_null());
  const value& down = checks["closed-port"];
  CHECK(down["status_code"].is_null());
  CHECK(down["error"].get<std::string>().find("onnect") != std::string::npos);
  CHECK(down["reason"] == down["error"]);

  for (const auto& r : recs) {
    if (r["rule"] == "check ok") {
      CHECK(r["status"] == "successful");
      CHECK(r["success"] == true);
    }
    if (r["rule"] == "notify") {
      CHECK(r["action"] == "http_request");
      CHECK(r["status"] == "failed");
      CHECK(r["attempts"] == 3);
      CHECK(r["status_code"] == 404);
    }
  }
  // 2 checks (the third goes to a closed port) + 3 attempts of the notification (the server
  // counts just after it answers).
  for (int i = 0; i < 200 && server.served() < 5; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(server.served() == 5);
  CHECK(o.err_has("answered 404, expected \"2xx\" (after 3 attempts)"));

  // One heartbeat per check, in the SQLite store named on the command line.
  const auto rows =
      rb::test::sqlite_rows(db,
                            "SELECT monitor_name, coalesce(monitor_id, ''), success, "
                            "coalesce(status_code, ''), failed_conditions, coalesce(error, '') "
                            "FROM heartbeats ORDER BY monitor_name");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0][0] == "closed-port");
  CHECK(rows[0][2] == "0");
  CHECK(rows[0][3] == "");
  CHECK(rows[0][5].find("onnect") != std::string::npos);
  CHECK(rows[1] == strings{"ok-page", "12", "1", "200", "[]", ""});
  CHECK(rows[2][0] == "wrong-page");
  CHECK(rows[2][3] == "404");
  CHECK(value::parse(rows[2][4]) == wrong["failed_conditions"]);
}

namespace {

// A one-rule rulebook whose action is `http_check` with `args` (YAML, indented 10).
std::string one_check(const std::string& args) {
  return R"(
- name: bad
  hosts: all
  sources:
    - ansible.eda.generic:
        payload: [{i: 1}]
  rules:
    - name: r
      condition: true
      action:
        http_check:
          url: http://127.0.0.1:1/
)" + args;
}

}  // namespace

TEST_CASE("http_check: bad arguments are start-up errors; bad expect is the action's error") {
  rb::test::temp_dir dir;
  const auto r = rb::test::run_rulebook(
      {"-r", dir.write("bad.yml", one_check("          expcet: {status: 200}\n"))});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("http_check: unknown argument 'expcet' (did you mean 'expect'?)") !=
        std::string::npos);
  const auto r2 = rb::test::run_rulebook(
      {"-r", dir.write("bad2.yml", one_check("          expect: {status: 200, body_has: x}\n")),
       "--heartbeat-store", "sqlite:" + dir.path() + "/h.db"});
  CHECK(r2.exit_code == 0);
  CHECK(r2.err.find("rule 'r': action 'http_check' failed: http_check: expect: unknown condition "
                    "'body_has'") != std::string::npos);
}

TEST_CASE("http_check: failure streaks per monitor, for alerts on the third failure and recovery") {
  rb::test::http_server server;
  ::setenv("RB_TEST_BASE_URL", server.url("").c_str(), 1);
  rb::test::temp_dir dir;
  const auto o =
      run("actions_http_check_streak.yml",
          {"-E", "RB_TEST_BASE_URL", "--heartbeat-store", "sqlite:" + dir.path() + "/h.db"});
  CHECK(o.run.exit_code == 0);
  strings actions = o.actions();  // results come back after the source's events: order varies
  std::sort(actions.begin(), actions.end());
  CHECK(actions == strings{"check::http_check", "check::http_check", "check::http_check",
                           "check::http_check", "recovered::debug", "third failure::debug"});
  CHECK(o.out_has("ALERT svc failed 3 times: status 404 (expected 2xx)"));
  CHECK(o.out_has("RECOVERED svc after 3 failures"));
}

TEST_CASE("http_check over HTTPS: ca_file, certificate expiry, min_cert_days, an expired site") {
  rb::test::test_pki pki;
  using tls_cert = rb::test::http_server_options::tls_cert;
  rb::test::http_server valid({.tls = tls_cert::valid, .pki = &pki});
  rb::test::http_server expired({.tls = tls_cert::expired, .pki = &pki});
  ::setenv("RB_TEST_TLS_URL", valid.url("").c_str(), 1);
  ::setenv("RB_TEST_EXPIRED_URL", expired.url("").c_str(), 1);
  ::setenv("RB_TEST_CA_FILE", pki.ca_cert().c_str(), 1);
  rb::test::temp_dir dir;
  const auto o = run("actions_http_check_tls.yml",
                     {"-E", "RB_TEST_TLS_URL,RB_TEST_EXPIRED_URL,RB_TEST_CA_FILE",
                      "--heartbeat-store", "sqlite:" + dir.path() + "/hb.db"});
  CHECK(o.run.exit_code == 0);
  std::map<std::string, value> checks;
  for (const auto& r : o.action_records())
    if (r["rule"] == "result") {
      const value& c = r["matching_events"]["m"]["http_check"];
      checks[c["monitor"].get<std::string>()] = c;
    }
  REQUIRE(checks.size() == 3);
  const value& trusted = checks["trusted"];
  INFO(trusted.dump());
  CHECK(trusted["success"] == true);
  CHECK(trusted["cert_expires_at"] ==
        rb::utc_iso_ms(rb::test::test_pki::valid_not_after * 1000000));
  CHECK(trusted["timings"]["tls_ms"].get<double>() > 0);
  const value& refused = checks["expired"];
  CHECK(refused["success"] == false);
  CHECK(refused["status_code"].is_null());
  CHECK(refused["error"].get<std::string>().find("expired") != std::string::npos);
  const value& unverified = checks["expired-unverified"];
  CHECK(unverified["status_code"] == 200);
  CHECK(unverified["success"] == false);
  CHECK(unverified["cert_expires_at"] == rb::utc_iso_ms(pki.expired_not_after() * 1000000));
  REQUIRE(unverified["failed_conditions"].size() == 1);
  CHECK(unverified["failed_conditions"][0]["condition"] == "min_cert_days");
}
