// The Prometheus text format as /metrics serves it, checked by promtool (Debian's prometheus
// package) as Prometheus itself would read it.
#include "core/metrics.h"

#include <doctest/doctest.h>
#include <stdio.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <string>

using namespace rb;

namespace {

// Runs `promtool check metrics` on `text`; returns its output and sets `rc`.
std::string promtool_check(const std::string& text, int& rc) {
  char path[] = "/tmp/rb-metrics-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  std::ofstream(path) << text;
  const std::string cmd = std::string("promtool check metrics < ") + path + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  std::array<char, 512> buf{};
  while (fgets(buf.data(), buf.size(), p)) out += buf.data();
  rc = pclose(p);
  ::close(fd);
  std::remove(path);
  return out;
}

}  // namespace

TEST_CASE("metrics: counters, callbacks and histograms in the text format") {
  rb::metrics m;
  auto& a = m.counter("rulebook_events_received_total", "Events received",
                      {{"ruleset", "r1"}, {"source", "tick"}});
  auto& b = m.counter("rulebook_events_received_total", "ignored: first help wins",
                      {{"ruleset", "r1"}, {"source", "hook \"x\"\n"}});
  a.inc();
  a.inc(2);
  b.inc();
  CHECK(&m.counter("rulebook_events_received_total", "", {{"ruleset", "r1"}, {"source", "tick"}}) ==
        &a);
  m.callback("rulebook_queue_events", "Queued", rb::metrics::kind::gauge, {{"ruleset", "r1"}},
             [] { return 7.0; });
  auto& h = m.histogram("rulebook_http_check_phase_seconds", "Phases", {{"phase", "dns"}},
                        {0.01, 0.1, 1});
  h.observe(0.005);
  h.observe(0.05);
  h.observe(0.05);
  h.observe(5);
  const std::string text = m.render();
  CHECK(text.find("# HELP rulebook_events_received_total Events received\n"
                  "# TYPE rulebook_events_received_total counter\n") != std::string::npos);
  CHECK(text.find("rulebook_events_received_total{ruleset=\"r1\",source=\"tick\"} 3\n") !=
        std::string::npos);
  CHECK(text.find("source=\"hook \\\"x\\\"\\n\"} 1\n") != std::string::npos);
  CHECK(text.find("rulebook_queue_events{ruleset=\"r1\"} 7\n") != std::string::npos);
  CHECK(text.find("rulebook_http_check_phase_seconds_bucket{phase=\"dns\",le=\"0.01\"} 1\n"
                  "rulebook_http_check_phase_seconds_bucket{phase=\"dns\",le=\"0.1\"} 3\n"
                  "rulebook_http_check_phase_seconds_bucket{phase=\"dns\",le=\"1\"} 3\n"
                  "rulebook_http_check_phase_seconds_bucket{phase=\"dns\",le=\"+Inf\"} 4\n"
                  "rulebook_http_check_phase_seconds_sum{phase=\"dns\"} 5.105\n"
                  "rulebook_http_check_phase_seconds_count{phase=\"dns\"} 4\n") !=
        std::string::npos);
  int rc = -1;
  const std::string out = promtool_check(text, rc);
  INFO(text);
  INFO(out);
  CHECK(rc == 0);
}

TEST_CASE("metrics: promtool catches what it should (the check can fail)") {
  int rc = -1;
  promtool_check("# TYPE bad counter\nbad{x=\"1\" 1\n", rc);
  CHECK(rc != 0);
}

TEST_CASE("metrics: status_counters make one series per code on first use") {
  rb::metrics m;
  status_counters c(m, "rulebook_http_requests_total", "Requests", {{"source", "hooks"}});
  c.count(200);
  c.count(200);
  c.count(503);
  c.count(42);  // not a status: ignored
  const std::string text = m.render();
  CHECK(text.find("rulebook_http_requests_total{source=\"hooks\",code=\"200\"} 2\n") !=
        std::string::npos);
  CHECK(text.find("rulebook_http_requests_total{source=\"hooks\",code=\"503\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("code=\"42\"") == std::string::npos);
}
