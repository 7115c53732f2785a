// url_check's loop with answers from canned_http (source_harness.h).
#include <doctest/doctest.h>

#include "source_harness.h"

using namespace rb::sources;
using namespace rb::sources::test;
using rb::value;

TEST_CASE("url_check: each URL in order, one event each, then the delay, forever") {
  harness h;
  h.http.replies["http://b/"] = canned_http::answered(503);
  h.http.replies["http://c/"] = canned_http::failed("Could not resolve host: c");
  h.make("ansible.eda.url_check",
         {{"urls", {"http://a/", "http://b/", "http://c/"}}, {"delay", 0.05}});
  h.start();
  CHECK(h.run_until([&] { return h.sink.events.size() >= 4; }));  // one round, the delay, the next
  h.stop();
  h.io.restart();
  h.io.run();
  REQUIRE(h.sink.events.size() >= 4);
  CHECK(h.sink.events[0] ==
        value::parse(R"({"url_check": {"url": "http://a/", "status": "up", "status_code": 200}})"));
  CHECK(
      h.sink.events[1] ==
      value::parse(R"({"url_check": {"url": "http://b/", "status": "down", "status_code": 503}})"));
  CHECK(h.sink.events[2] == value::parse(R"({"url_check": {"url": "http://c/", "status": "down",
                                       "error_msg": "Could not resolve host: c"}})"));
  CHECK(h.sink.events[3]["url_check"]["url"] == "http://a/");  // the next round, after the delay
  CHECK(h.ms_until_event(3) >= 45);
  CHECK(h.end == source_end::stopped);
  CHECK(h.done_calls == 1);
}

TEST_CASE("url_check: no urls ends at once; bad arguments name themselves") {
  harness h;
  h.run("url_check", value::object());
  CHECK(h.end == source_end::finished);
  CHECK(h.http.asked.empty());
  harness bad;
  CHECK_THROWS_WITH(bad.make("url_check", {{"urls", {1, 2}}}),
                    doctest::Contains("url_check: argument 'urls' must be a list of URLs"));
  CHECK_THROWS_WITH(bad.make("url_check", {{"urls", {"http://a/"}}, {"verify_ssl", "yes"}}),
                    doctest::Contains("verify_ssl"));
}
