// `http_check`: one HTTP check on the loop's client (never a blocking call), of the URL in its
// arguments or of the triggering `monitors` event's `monitor` (arguments override the monitor's
// keys). It measures the timing phases and the certificate's expiry, evaluates `expect`, posts
// {http_check: {...}} back to the ruleset, with the monitor's failure streak, and hands a heartbeat
// to the store. A failed check is a result, not an action error: the action fails only when it
// cannot run (bad arguments).
#include <spdlog/spdlog.h>

#include <array>
#include <memory>
#include <unordered_map>

#include "actions/builtin_actions.h"
#include "actions/check_spec.h"
#include "actions/http_expect.h"
#include "core/clock.h"

namespace rb::actions {

namespace {

value timings_of(const http_timings& t) {
  value v = value::object();
  v["dns_ms"] = t.dns_ms;
  v["connect_ms"] = t.connect_ms;
  v["tls_ms"] = t.tls_ms;
  v["ttfb_ms"] = t.ttfb_ms;
  v["transfer_ms"] = t.transfer_ms;
  v["total_ms"] = t.total_ms;
  return v;
}

// One line for people: the error, or each failed condition with what came and what was wanted.
std::string reason_of(const http_response& r, const value& failed) {
  if (!r.responded) return r.error;
  std::string out;
  for (const auto& f : failed) {
    if (!out.empty()) out += "; ";
    const value& actual = f["actual"];
    out += f["condition"].get<std::string>() + " " +
           (actual.is_string() ? actual.get<std::string>() : actual.dump()) + " (expected " +
           (f["expected"].is_string() ? f["expected"].get<std::string>() : f["expected"].dump()) +
           ")";
  }
  return out;
}

struct check_context {
  check_spec spec;
  expectation expect;
  std::int64_t scheduled_us = 0;
  std::int64_t started_us = 0;
  std::optional<std::int64_t> epoch;
  std::string ruleset;
  bool post_result = true;
  bool cancelled = false;
};

class http_check_action final : public action {
 public:
  std::string_view audit_name() const noexcept override { return "http_check"; }

  void start(const firing& f, const value& args, services& svc, completion done,
             cancel_slot& cancel) noexcept override {
    auto ctx = std::make_shared<check_context>();
    std::string error;
    try {
      error = prepare(f, args, *ctx);
    } catch (const std::exception& e) {
      error = std::string("http_check: ") + e.what();
    }
    if (error.empty() && !svc.http) error = "http_check: no HTTP client in this engine";
    if (!error.empty()) {
      done({false, std::move(error), nullptr});
      return;
    }
    ctx->started_us = utc_now_us();
    if (ctx->scheduled_us == 0) ctx->scheduled_us = ctx->started_us / 1000 * 1000;
    if (svc.ha) ctx->epoch = svc.ha->term().epoch;
    cancel.handler = [ctx] { ctx->cancelled = true; };
    http_request request = ctx->spec.request;
    svc.http->send(std::move(request), [this, ctx, &svc, done = std::move(done)](http_response r) {
      if (ctx->cancelled) return;
      done(finish(*ctx, std::move(r), svc));
    });
  }

 private:
  static std::string prepare(const firing& f, const value& args, check_context& ctx) {
    const value* monitor = nullptr;
    if (f.event && f.event->is_object()) {
      auto m = f.event->find("monitor");
      if (m != f.event->end() && m->is_object()) monitor = &*m;
      auto s = f.event->find("scheduled_at");
      if (monitor && s != f.event->end() && s->is_string()) {
        auto us = parse_utc_iso(s->get_ref<const std::string&>());
        if (us) ctx.scheduled_us = *us;
      }
    }
    std::string error;
    if (monitor) {
      error = read_check_spec("http_check", *monitor, ctx.spec);
      if (error.empty() && monitor->contains("expect"))
        error = read_expectation((*monitor)["expect"], ctx.expect);
      if (!error.empty()) return error + " (in the event's monitor)";
    }
    if (!monitor && !args.contains("url"))
      return "http_check: no 'url' argument, and the event has no 'monitor' to check";
    if (!args.empty()) {
      error = read_check_spec("http_check", args, ctx.spec);
      if (!error.empty()) return error;
    }
    if (auto e = args.find("expect"); e != args.end()) {
      ctx.expect = {};
      error = read_expectation(*e, ctx.expect);
      if (!error.empty()) return "http_check: " + error;
    }
    if (auto p = args.find("post_events"); p != args.end()) {
      if (!p->is_boolean()) return "http_check: 'post_events' must be true or false";
      ctx.post_result = p->get<bool>();
    }
    if (ctx.post_result) ctx.ruleset = target_ruleset("http_check", f, args);
    return {};
  }

  action_result finish(check_context& ctx, http_response r, services& svc) {
    value failed =
        r.responded ? failed_conditions(ctx.expect, r, ctx.started_us / 1000000) : value::array();
    const bool success = r.responded && failed.empty();
    const check_spec& spec = ctx.spec;
    if (svc.metrics) count(*svc.metrics, r, success);

    if (svc.heartbeats) {
      heartbeat hb;
      hb.monitor_id = spec.id;
      hb.monitor_name = spec.name;
      hb.url = spec.request.url;
      hb.worker_id = svc.worker_id;
      hb.datacenter = spec.datacenter;
      hb.region = spec.region;
      hb.scheduled_at_us = ctx.scheduled_us;
      hb.started_at_us = ctx.started_us;
      hb.success = success;
      if (r.responded) hb.status_code = static_cast<int>(r.status);
      hb.dns_ms = r.time.dns_ms;
      hb.connect_ms = r.time.connect_ms;
      hb.tls_ms = r.time.tls_ms;
      hb.ttfb_ms = r.time.ttfb_ms;
      hb.transfer_ms = r.time.transfer_ms;
      hb.total_ms = r.time.total_ms;
      hb.response_bytes = static_cast<std::int64_t>(r.bytes);
      if (r.cert_expires_at) hb.cert_expires_at = r.cert_expires_at;
      hb.failed_conditions = failed.dump();
      hb.error = r.responded ? std::string() : r.error;
      hb.ha_epoch = ctx.epoch;
      svc.heartbeats->submit(std::move(hb));
    }

    const std::string reason = success ? std::string() : reason_of(r, failed);
    if (success) {
      spdlog::info("http_check {}: up, {} in {:.1f} ms", spec.name, r.status, r.time.total_ms);
    } else {
      spdlog::info("http_check {}: DOWN, {}", spec.name, reason);
    }
    value extra = value::object();
    extra["url"] = spec.request.url;
    extra["success"] = success;
    if (ctx.post_result && svc.post_event) {
      value check = value::object();
      check["monitor"] = spec.name;
      if (spec.id) check["monitor_id"] = *spec.id;
      check["url"] = spec.request.url;
      check["scheduled_at"] = utc_iso_ms(ctx.scheduled_us);
      check["success"] = success;
      check["status_code"] = r.responded ? value(r.status) : value(nullptr);
      check["timings"] = timings_of(r.time);
      check["response_bytes"] = r.bytes;
      check["cert_expires_at"] =
          r.cert_expires_at ? value(utc_iso_ms(r.cert_expires_at * 1000000)) : value(nullptr);
      check["reason"] = success ? value(nullptr) : value(reason);
      check["failed_conditions"] = std::move(failed);
      check["error"] = r.responded ? value(nullptr) : value(r.error);
      // Streaks per monitor, so rules can alert on the third failure in a row and on recovery
      // without keeping state of their own.
      int& streak = failures_[spec.name];
      check["consecutive_failures"] = success ? 0 : ++streak;
      check["recovered_after"] = success ? streak : 0;
      if (success) streak = 0;
      value event = value::object();
      event["http_check"] = std::move(check);
      std::string err = svc.post_event(ctx.ruleset, std::move(event));
      if (!err.empty()) return {false, "http_check: " + err, std::move(extra)};
    }
    return {true, {}, std::move(extra)};
  }

  // rulebook_http_checks_total{result} and one histogram per phase; series made on first use.
  void count(rb::metrics& m, const http_response& r, bool success) {
    if (!checks_ok_) {
      const std::string help = "HTTP checks, by result";
      checks_ok_ = &m.counter("rulebook_http_checks_total", help, {{"result", "success"}});
      checks_failed_ = &m.counter("rulebook_http_checks_total", help, {{"result", "failure"}});
      const char* names[] = {"dns", "connect", "tls", "ttfb", "transfer", "total"};
      for (std::size_t i = 0; i < phases_.size(); ++i)
        phases_[i] = &m.histogram("rulebook_http_check_phase_seconds",
                                  "Duration of each phase of an HTTP check (fresh connection)",
                                  {{"phase", names[i]}});
    }
    (success ? checks_ok_ : checks_failed_)->inc();
    if (!r.responded) return;  // phases of a check that got no answer mean little
    const double ms[] = {r.time.dns_ms,  r.time.connect_ms,  r.time.tls_ms,
                         r.time.ttfb_ms, r.time.transfer_ms, r.time.total_ms};
    for (std::size_t i = 0; i < phases_.size(); ++i) {
      if (i == 2 && ms[i] == 0) continue;  // no TLS on plain HTTP
      phases_[i]->observe(ms[i] / 1000.0);
    }
  }

  std::unordered_map<std::string, int> failures_;  // monitor name → failures in a row
  metric_counter* checks_ok_ = nullptr;
  metric_counter* checks_failed_ = nullptr;
  std::array<metric_histogram*, 6> phases_{};
};

}  // namespace

std::unique_ptr<action> make_http_check(const value& args) {
  expect_only("http_check", args,
              {"url",         "method",           "headers",        "body",        "timeout",
               "verify_ssl",  "follow_redirects", "ip_version",     "proxy",       "ca_file",
               "client_cert", "client_key",       "max_body_bytes", "name",        "id",
               "datacenter",  "region",           "expect",         "post_events", "ruleset"});
  return std::make_unique<http_check_action>();
}

}  // namespace rb::actions
