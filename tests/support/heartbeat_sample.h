// heartbeat_sample: a heartbeat with every column set, for the store's tests and benchmark (an
// HTTPS check that got a 503 where a 200 was expected).
#pragma once

#include <cstdint>
#include <string>

#include "core/heartbeat.h"

namespace rb::test {

inline heartbeat sample_heartbeat(std::int64_t monitor_id, std::string name,
                                  std::int64_t scheduled_at_us) {
  heartbeat hb;
  hb.monitor_id = monitor_id;
  hb.monitor_name = std::move(name);
  hb.url = "https://example.test/login";
  hb.worker_id = "w1";
  hb.datacenter = "fra1";
  hb.region = "eu";
  hb.scheduled_at_us = scheduled_at_us;
  hb.started_at_us = scheduled_at_us + 1'500;
  hb.success = false;
  hb.status_code = 503;
  hb.dns_ms = 1.25;
  hb.connect_ms = 2.5;
  hb.tls_ms = 3.75;
  hb.ttfb_ms = 40.5;
  hb.transfer_ms = 0.5;
  hb.total_ms = 48.5;
  hb.response_bytes = 1234;
  hb.cert_expires_at = 1800000000;
  hb.failed_conditions = R"([{"condition":"status_code","expected":200,"actual":503}])";
  return hb;
}

}  // namespace rb::test
