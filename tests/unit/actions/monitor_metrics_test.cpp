// http_check's per-monitor gauges as /metrics renders them: values, escaping, the cardinality
// bound and its single warning.
#include "actions/monitor_metrics.h"

#include <doctest/doctest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <string>

using rb::actions::monitor_metrics;

namespace {

// Captures log lines while alive (the default logger is swapped and restored).
struct log_capture {
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink =
      std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256);
  std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  log_capture() {
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_level(spdlog::level::trace);
    logger->set_pattern("%l %v");
    spdlog::set_default_logger(logger);
  }
  ~log_capture() { spdlog::set_default_logger(previous); }
  std::vector<std::string> lines() const { return sink->last_formatted(); }
};

bool has_line(const std::string& page, const std::string& line) {
  return page.find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("monitor_metrics: the last check per (monitor, datacenter), cert expiry once seen") {
  rb::metrics m;
  monitor_metrics mm(m);
  monitor_metrics::check web;
  web.up = true;
  web.started_us = 1700000000500000;
  web.phase_ms = {1, 2, 3, 4, 5, 15};
  web.cert_expires_at = 1800000000;
  CHECK(mm.record("web", "NY", web));
  monitor_metrics::check api;
  api.up = false;
  api.started_us = 1700000001000000;
  api.phase_ms = {0, 0, 0, 0, 0, 250};
  CHECK(mm.record("api", "", api));
  std::string page = m.render();
  CHECK(has_line(page, "rulebook_monitor_up{monitor=\"web\",datacenter=\"NY\"} 1"));
  CHECK(has_line(page, "rulebook_monitor_up{monitor=\"api\",datacenter=\"\"} 0"));
  CHECK(has_line(page,
                 "rulebook_monitor_last_check_timestamp_seconds{monitor=\"web\","
                 "datacenter=\"NY\"} 1700000000.5"));
  CHECK(has_line(page,
                 "rulebook_monitor_check_duration_seconds{monitor=\"web\",datacenter="
                 "\"NY\",phase=\"total\"} 0.015"));
  CHECK(has_line(page,
                 "rulebook_monitor_check_duration_seconds{monitor=\"api\",datacenter="
                 "\"\",phase=\"total\"} 0.25"));
  CHECK(has_line(page,
                 "rulebook_monitor_cert_expiry_timestamp_seconds{monitor=\"web\","
                 "datacenter=\"NY\"} 1800000000"));
  // No certificate seen for api: no series rather than a 0 that reads as "expired in 1970".
  CHECK(page.find("rulebook_monitor_cert_expiry_timestamp_seconds{monitor=\"api\"") ==
        std::string::npos);
  CHECK(page.find("# TYPE rulebook_monitor_up gauge") != std::string::npos);

  // The next check replaces the values; a down check without a certificate keeps the expiry.
  web.up = false;
  web.cert_expires_at = 0;
  web.started_us = 1700000060000000;
  CHECK(mm.record("web", "NY", web));
  page = m.render();
  CHECK(has_line(page, "rulebook_monitor_up{monitor=\"web\",datacenter=\"NY\"} 0"));
  CHECK(has_line(page,
                 "rulebook_monitor_last_check_timestamp_seconds{monitor=\"web\","
                 "datacenter=\"NY\"} 1700000060"));
  CHECK(has_line(page,
                 "rulebook_monitor_cert_expiry_timestamp_seconds{monitor=\"web\","
                 "datacenter=\"NY\"} 1800000000"));
  CHECK(mm.pairs() == 2);
}

TEST_CASE("monitor_metrics: label values are escaped (backslash, double quote, newline)") {
  rb::metrics m;
  monitor_metrics mm(m);
  monitor_metrics::check c;
  c.up = true;
  CHECK(mm.record("a\\b \"q\"\nz", "d\"c", c));
  const std::string page = m.render();
  CHECK(has_line(page, R"(rulebook_monitor_up{monitor="a\\b \"q\"\nz",datacenter="d\"c"} 1)"));
}

TEST_CASE("monitor_metrics: at most max_pairs pairs, the rest dropped with one warning") {
  rb::metrics m;
  monitor_metrics mm(m, 3);
  log_capture logs;
  monitor_metrics::check c;
  c.up = true;
  for (int i = 0; i < 3; ++i) CHECK(mm.record("m" + std::to_string(i), "NY", c));
  CHECK_FALSE(mm.record("m3", "NY", c));
  CHECK_FALSE(mm.record("m4", "LA", c));
  CHECK(mm.record("m0", "NY", c));  // a known pair still updates
  CHECK(mm.pairs() == 3);
  int warnings = 0;
  for (const auto& l : logs.lines())
    if (l.rfind("warning", 0) == 0) {
      ++warnings;
      CHECK(l.find("m3") != std::string::npos);
    }
  CHECK(warnings == 1);
  const std::string page = m.render();
  CHECK(page.find("monitor=\"m3\"") == std::string::npos);
  CHECK(page.find("monitor=\"m4\"") == std::string::npos);
  CHECK(has_line(page, "rulebook_monitor_up{monitor=\"m2\",datacenter=\"NY\"} 1"));
  CHECK(monitor_metrics::default_max_pairs == 10000);
}
