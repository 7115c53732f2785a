// controller_client against a scripted http_sender: the URLs it calls (a gateway URL with a
// path, absolute launch and job paths), its TLS and auth settings, paging, polling until a
// terminal status, transient poll errors, and cancellation.
#include "actions/controller_client.h"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <functional>
#include <optional>

using namespace rb::actions;
using rb::value;

namespace {

struct scripted_sender final : rb::http_sender {
  boost::asio::io_context& io;
  std::vector<rb::http_request> seen;
  std::function<rb::http_response(const rb::http_request&)> answer;

  explicit scripted_sender(boost::asio::io_context& c) : io(c) {}
  void send(rb::http_request r, std::function<void(rb::http_response)> done) override {
    seen.push_back(r);
    rb::http_response resp = answer(r);
    boost::asio::post(io, [done = std::move(done), resp] { done(resp); });
  }
};

rb::http_response json_answer(long status, const value& body) {
  rb::http_response r;
  r.responded = true;
  r.status = status;
  r.body = body.dump();
  return r;
}

std::string header(const rb::http_request& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

}  // namespace

TEST_CASE("controller_client: a gateway URL, paging, launch, polling to the end") {
  boost::asio::io_context io;
  scripted_sender http(io);
  controller_settings s;
  s.url = "https://gw.example/api/controller";
  s.token = "tok";
  s.ssl_verify = "/etc/ca.pem";
  s.poll_interval = std::chrono::milliseconds(1);
  int polls = 0;
  http.answer = [&](const rb::http_request& r) {
    if (r.url.find("unified_job_templates/?name=My%20JT&page=2") != std::string::npos)
      return json_answer(
          200, {{"next", nullptr},
                {"results",
                 {{{"type", "job_template"},
                   {"name", "My JT"},
                   {"summary_fields", {{"organization", {{"name", "Org"}}}}},
                   {"related", {{"launch", "/api/controller/v2/job_templates/9/launch/"}}}}}}});
    if (r.url.find("unified_job_templates/") != std::string::npos)
      return json_answer(200, {{"next", "page2"},
                               {"results",
                                {{{"type", "workflow_job_template"}, {"name", "My JT"}},
                                 {{"type", "job_template"},
                                  {"name", "My JT"},
                                  {"summary_fields", {{"organization", {{"name", "Else"}}}}}}}}});
    if (r.method == "POST") return json_answer(201, {{"url", "/api/controller/v2/jobs/5/"}});
    ++polls;
    if (polls == 1) return json_answer(503, {{"detail", "busy"}});  // transient: next poll
    return json_answer(200, {{"id", 5}, {"status", polls < 3 ? "running" : "error"}});
  };
  std::optional<controller_outcome> got;
  auto run = run_controller_template(s, http, io.get_executor(), template_kind::job, "My JT", "Org",
                                     value{{"limit", "all"}},
                                     [&](controller_outcome o) { got = std::move(o); });
  io.run();
  REQUIRE(got);
  CHECK(got->ended);
  CHECK(got->job["status"] == "error");
  CHECK(run->job_url() == "/api/controller/v2/jobs/5/");
  REQUIRE(http.seen.size() == 6);
  CHECK(http.seen[0].url ==
        "https://gw.example/api/controller/v2/unified_job_templates/?name=My%20JT");
  CHECK(http.seen[1].url ==
        "https://gw.example/api/controller/v2/unified_job_templates/?name=My%20JT&page=2");
  CHECK(http.seen[2].method == "POST");
  CHECK(http.seen[2].url == "https://gw.example/api/controller/v2/job_templates/9/launch/");
  CHECK(value::parse(http.seen[2].body) == value{{"limit", "all"}});
  CHECK(header(http.seen[2], "Content-Type") == "application/json");
  CHECK(http.seen[5].url == "https://gw.example/api/controller/v2/jobs/5/");
  for (const auto& r : http.seen) {
    CHECK(header(r, "Authorization") == "Bearer tok");
    CHECK(r.verify_tls);
    CHECK(r.ca_file == "/etc/ca.pem");
  }
  CHECK(controller_job_ui_url(s, template_kind::workflow, 5) ==
        "https://gw.example/#/jobs/workflow/5/details");
}

TEST_CASE("controller_client: no verification, basic auth, a 404 launch, cancellation") {
  boost::asio::io_context io;
  scripted_sender http(io);
  controller_settings s;
  s.url = "https://awx.example:8043/";
  s.username = "u";
  s.password = "p:w";
  s.ssl_verify = "False";
  s.poll_interval = std::chrono::milliseconds(1);
  const value tpl = {{"results",
                      {{{"type", "workflow_job_template"},
                        {"name", "W"},
                        {"ask_limit_on_launch", false},
                        {"related", {{"launch", "/api/v2/workflow_job_templates/2/launch/"}}}}}}};
  bool launch_404 = true;
  http.answer = [&](const rb::http_request& r) {
    if (r.method == "GET" && r.url.find("unified") != std::string::npos)
      return json_answer(200, tpl);
    if (r.method == "POST")
      return launch_404 ? json_answer(404, {{"detail", "Not found."}})
                        : json_answer(201, {{"url", "/api/v2/workflow_jobs/8/"}});
    return json_answer(200, {{"id", 8}, {"status", "running"}});
  };
  SUBCASE("an error answer ends the run with the call and the detail") {
    std::optional<controller_outcome> got;
    run_controller_template(s, http, io.get_executor(), template_kind::workflow, "W", "Any",
                            value{{"limit", "h1"}}, [&](controller_outcome o) { got = o; });
    io.run();
    REQUIRE(got);
    CHECK_FALSE(got->ended);
    CHECK(got->error ==
          "the controller answered 404 (Not Found) to POST "
          "https://awx.example:8043/api/v2/workflow_job_templates/2/launch/: Not found.");
    CHECK(http.seen[0].url == "https://awx.example:8043/api/v2/unified_job_templates/?name=W");
    CHECK_FALSE(http.seen[0].verify_tls);
    CHECK(header(http.seen[0], "Authorization") == "Basic " + base64_encode("u:p:w"));
    CHECK(value::parse(http.seen[1].body) == value::object());  // no limit prompt: removed
  }
  SUBCASE("cancel stops the polling; no completion") {
    launch_404 = false;
    bool called = false;
    auto run =
        run_controller_template(s, http, io.get_executor(), template_kind::workflow, "W", "Any",
                                value::object(), [&](controller_outcome) { called = true; });
    while (http.seen.size() < 5) io.run_one();
    run->cancel();
    const std::size_t sent = http.seen.size();
    io.run();
    CHECK_FALSE(called);
    CHECK(http.seen.size() <= sent + 1);  // at most the request already under way
  }
}

TEST_CASE("controller_client: settings, encodings") {
  controller_settings s;
  CHECK(controller_settings_problem(s).empty());  // no controller: nothing to check
  s.url = "ftp://host";
  s.token = "t";
  CHECK(controller_settings_problem(s).find("invalid controller url") == 0);
  s.url = "https://";
  CHECK_FALSE(controller_settings_problem(s).empty());
  s.url = "https://host:8443";
  CHECK(controller_settings_problem(s).empty());
  s.token.clear();
  s.username = "u";
  CHECK(controller_settings_problem(s) ==
        "controller_token or controller_username and controller_password is required");
  s.password = "p";
  CHECK(controller_settings_problem(s).empty());
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("eda:pa55word") == "ZWRhOnBhNTV3b3Jk");
  CHECK(url_encode("Deploy App/1 & ü") == "Deploy%20App%2F1%20%26%20%C3%BC");
}

TEST_CASE("controller_client: transient lookup and launch failures are retried, within limits") {
  boost::asio::io_context io;
  scripted_sender http(io);
  controller_settings s;
  s.url = "http://awx.local";
  s.token = "t";
  s.poll_interval = std::chrono::milliseconds(1);
  s.retry_first_delay = std::chrono::milliseconds(1);
  s.retry_attempts = 3;
  int lookups = 0, launches = 0;
  long launch_status = 502;
  http.answer = [&](const rb::http_request& r) {
    if (r.method == "GET" && r.url.find("unified") != std::string::npos) {
      if (++lookups == 1) return rb::http_response{};  // no answer at all
      if (lookups == 2) return json_answer(503, {{"detail", "later"}});
      return json_answer(200, {{"results",
                                {{{"type", "job_template"},
                                  {"name", "J"},
                                  {"related", {{"launch", "/api/v2/job_templates/1/launch/"}}}}}}});
    }
    if (r.method == "POST") {
      ++launches;
      if (launch_status != 201) return json_answer(launch_status, {{"detail", "no"}});
      return json_answer(201, {{"url", "/api/v2/jobs/3/"}});
    }
    return json_answer(200, {{"id", 3}, {"status", "successful"}});
  };
  std::optional<controller_outcome> got;
  auto start = [&] {
    got.reset();
    run_controller_template(s, http, io.get_executor(), template_kind::job, "J", "O",
                            value::object(), [&](controller_outcome o) { got = std::move(o); });
    io.restart();
    io.run();
    REQUIRE(got);
  };
  SUBCASE("502 on every launch: three attempts, then the error") {
    start();
    CHECK(lookups == 3);
    CHECK(launches == 3);
    CHECK_FALSE(got->ended);
    CHECK(got->error.find("answered 502 (Bad Gateway) to POST") != std::string::npos);
  }
  SUBCASE("a launch refused with 400 is not retried") {
    launch_status = 400;
    start();
    CHECK(launches == 1);
    CHECK_FALSE(got->ended);
  }
  SUBCASE("a launch that gets through") {
    launch_status = 201;
    start();
    CHECK(got->ended);
    CHECK(got->job["status"] == "successful");
  }
}
