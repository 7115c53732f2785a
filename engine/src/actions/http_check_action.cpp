// `http_check`: one HTTP check on the loop's client (never a blocking call), of the URL in its
// arguments or of the triggering `monitors` event's `monitor` (arguments override the monitor's
// keys). It measures the timing phases and the certificate's expiry, evaluates `expect`, posts
// {http_check: {...}} back to the ruleset, with the monitor's failure streak, and hands a heartbeat
// to the store. A failed check is a result, not an action error: the action fails only when it
// cannot run (bad arguments).
//
// The check's location (datacenter, region) is the monitor's, else the worker's --datacenter and
// --region; streaks are kept per (datacenter, monitor). Failure streaks continue across restarts
// and HA takeovers: before the first result of a run, and
// when this worker leads an epoch that is not its previous one + 1 (someone else may have checked
// in between), the streaks are read once from the heartbeat store. Heartbeats go out at once;
// results that complete meanwhile wait (in order) for the answer, at most streaks_wait.
//
// Logs: each check at debug (-vv); at info (-v) a summary line every 30 s (check_summary.h).
#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <memory>
#include <unordered_map>

#include "actions/builtin_actions.h"
#include "actions/check_spec.h"
#include "actions/check_summary.h"
#include "actions/http_expect.h"
#include "actions/monitor_metrics.h"
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

// What a check's ruleset event still needs once its heartbeat is submitted.
struct check_outcome {
  http_response r;
  value failed;
  bool success = false;
  std::string reason;
};

struct held_result {
  std::shared_ptr<check_context> ctx;
  check_outcome out;
  completion done;
};

constexpr std::chrono::seconds streaks_wait{3};

// The failure streak per monitor of one datacenter and where it comes from (a location reads only
// its own heartbeats back). Lives on the loop; the store's answer and the timer reach it through
// weak pointers (the action may be gone by then).
struct streak_book {
  std::string datacenter;
  std::unordered_map<std::string, int> failures;  // monitor name → failures in a row
  bool loaded = false;                            // for `epoch`
  std::optional<std::int64_t> epoch;              // the HA epoch the map belongs to; none w/o HA
  bool loading = false;
  std::uint64_t generation = 0;  // tells the current load's answer from a late one
  std::deque<held_result> held;  // results completed while loading, in completion order
  std::weak_ptr<boost::asio::steady_timer> timer;
  services* svc = nullptr;
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
    // The location: the monitor's (config tables or its keys), else the worker's.
    if (ctx->spec.datacenter.empty()) {
      ctx->spec.datacenter = svc.datacenter;
      if (ctx->spec.region.empty()) ctx->spec.region = svc.region;
    }
    if (ctx->spec.request.source_address.empty())
      ctx->spec.request.source_address = svc.check_source_address;
    ctx->started_us = utc_now_us();
    if (ctx->scheduled_us == 0) ctx->scheduled_us = ctx->started_us / 1000 * 1000;
    if (svc.ha) ctx->epoch = svc.ha->term().epoch;
    cancel.handler = [ctx] { ctx->cancelled = true; };
    http_request request = ctx->spec.request;
    svc.http->send(std::move(request), [this, ctx, &svc, done = std::move(done)](http_response r) {
      if (ctx->cancelled) return;
      // The request goes ahead of this check's heartbeat: the store's answer counts every check
      // before this one, and this one is counted when it is reported.
      const bool reports = ctx->post_result && svc.post_event;
      const std::shared_ptr<streak_book>& book = book_of(ctx->spec.datacenter);
      if (reports) maybe_load(book, ctx->epoch, svc);
      check_outcome out = record(*ctx, std::move(r), svc);
      if (svc.metrics) count(*svc.metrics, out.r, out.success);
      if (reports && book->loading) {
        book->held.push_back({ctx, std::move(out), std::move(done)});
        return;
      }
      done(report(*ctx, std::move(out), svc, book->failures));
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

  // Starts a load of the streaks when the map may miss checks: not loaded yet, or this worker now
  // leads an epoch that does not follow the one the map belongs to.
  const std::shared_ptr<streak_book>& book_of(const std::string& datacenter) {
    auto& b = books_[datacenter];
    if (!b) {
      b = std::make_shared<streak_book>();
      b->datacenter = datacenter;
    }
    return b;
  }

  void maybe_load(const std::shared_ptr<streak_book>& book,
                  const std::optional<std::int64_t>& epoch, services& svc) {
    streak_book& b = *book;
    if (b.loading) return;
    const bool follows = !epoch || (b.epoch && *epoch <= *b.epoch + 1);
    // Without a store there is nowhere to read from: this worker's own streaks.
    if (!svc.heartbeats || (b.loaded && follows)) {
      if (epoch && (!b.epoch || *epoch > *b.epoch)) b.epoch = epoch;
      return;
    }
    b.loading = true;
    b.epoch = epoch;
    b.svc = &svc;
    const std::uint64_t gen = ++b.generation;
    std::weak_ptr<streak_book> weak = book;
    auto timer = std::make_shared<boost::asio::steady_timer>(svc.executor, streaks_wait);
    b.timer = timer;
    timer->async_wait([weak, gen, timer](const boost::system::error_code& ec) {
      auto book = weak.lock();
      if (ec || !book) return;
      loaded(*book, gen, failure_streaks{"no answer in time", {}});
    });
    svc.heartbeats->request_failure_streaks(
        b.datacenter, [weak, gen, ex = svc.executor](failure_streaks s) {
          // On the store's thread: the answer goes to the loop.
          boost::asio::post(ex, [weak, gen, s = std::move(s)]() mutable {
            if (auto book = weak.lock()) loaded(*book, gen, std::move(s));
          });
        });
  }

  // The store's answer (or the timer's): the map continues from it, or from memory on an error;
  // then the held results go out in order.
  static void loaded(streak_book& b, std::uint64_t gen, failure_streaks s) {
    if (gen != b.generation || !b.loading) return;  // a late answer: that load is over
    if (auto t = b.timer.lock()) t->cancel();
    if (s.error.empty()) {
      spdlog::debug("http_check: {} failure streaks{}{} continued from the heartbeat store",
                    s.failures.size(), b.datacenter.empty() ? "" : " of ", b.datacenter);
      b.failures = std::move(s.failures);
    } else {
      spdlog::warn(
          "http_check: cannot read the failure streaks from the heartbeat store ({}); they go on "
          "from this worker's own counts",
          s.error);
    }
    b.loaded = true;
    // Still `loading` while they go out: a result completing meanwhile queues behind them.
    while (!b.held.empty()) {
      held_result h = std::move(b.held.front());
      b.held.pop_front();
      if (!h.ctx->cancelled) h.done(report(*h.ctx, std::move(h.out), *b.svc, b.failures));
    }
    b.loading = false;
  }

  // Submits the heartbeat and logs the result; the ruleset's event is report()'s.
  static check_outcome record(check_context& ctx, http_response r, services& svc) {
    value failed =
        r.responded ? failed_conditions(ctx.expect, r, ctx.started_us / 1000000) : value::array();
    const bool success = r.responded && failed.empty();
    const check_spec& spec = ctx.spec;

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
    if (svc.check_metrics) {
      monitor_metrics::check c;
      c.up = success;
      c.started_us = ctx.started_us;
      c.phase_ms = {r.time.dns_ms,  r.time.connect_ms,  r.time.tls_ms,
                    r.time.ttfb_ms, r.time.transfer_ms, r.time.total_ms};
      c.cert_expires_at = r.cert_expires_at;
      svc.check_metrics->record(spec.name, spec.datacenter, c);
    }
    if (svc.monitors)
      svc.monitors->checked(
          {spec.name, spec.request.url, spec.request.method, 0, false, spec.datacenter});

    std::string reason = success ? std::string() : reason_of(r, failed);
    // "api [NY]": one monitor checked from several locations is several lines.
    const std::string label =
        spec.datacenter.empty() ? spec.name : spec.name + " [" + spec.datacenter + "]";
    if (success) {
      spdlog::debug("http_check {}: up, {} in {:.1f} ms", label, r.status, r.time.total_ms);
    } else {
      spdlog::debug("http_check {}: DOWN, {}", label, reason);
    }
    // One process-wide summary: the loop is single-threaded, and every http_check rule counts.
    static check_summary summary;
    if (spdlog::should_log(spdlog::level::info))
      if (auto line = summary.add(label, success, reason)) spdlog::info("{}", *line);
    return {std::move(r), std::move(failed), success, std::move(reason)};
  }

  // Posts the result, with the monitor's streak, to the ruleset.
  static action_result report(check_context& ctx, check_outcome out, services& svc,
                              std::unordered_map<std::string, int>& failures) {
    const check_spec& spec = ctx.spec;
    const http_response& r = out.r;
    const bool success = out.success;
    value extra = value::object();
    extra["url"] = spec.request.url;
    extra["success"] = success;
    if (!spec.datacenter.empty()) extra["datacenter"] = spec.datacenter;
    if (!spec.region.empty()) extra["region"] = spec.region;
    if (ctx.post_result && svc.post_event) {
      value check = value::object();
      check["monitor"] = spec.name;
      if (spec.id) check["monitor_id"] = *spec.id;
      check["url"] = spec.request.url;
      check["datacenter"] = spec.datacenter;
      check["region"] = spec.region;
      check["scheduled_at"] = utc_iso_ms(ctx.scheduled_us);
      check["success"] = success;
      check["status_code"] = r.responded ? value(r.status) : value(nullptr);
      check["timings"] = timings_of(r.time);
      check["response_bytes"] = r.bytes;
      check["cert_expires_at"] =
          r.cert_expires_at ? value(utc_iso_ms(r.cert_expires_at * 1000000)) : value(nullptr);
      check["reason"] = success ? value(nullptr) : value(out.reason);
      check["failed_conditions"] = std::move(out.failed);
      check["error"] = r.responded ? value(nullptr) : value(r.error);
      // Streaks per (datacenter, monitor), so rules can alert on the third failure in a row and on
      // recovery without keeping state of their own.
      int& streak = failures[spec.name];
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

  std::unordered_map<std::string, std::shared_ptr<streak_book>> books_;  // by datacenter
  metric_counter* checks_ok_ = nullptr;
  metric_counter* checks_failed_ = nullptr;
  std::array<metric_histogram*, 6> phases_{};
};

}  // namespace

std::unique_ptr<action> make_http_check(const value& args) {
  expect_only("http_check", args,
              {"url",           "method",           "headers",        "body",        "timeout",
               "verify_ssl",    "follow_redirects", "ip_version",     "proxy",       "ca_file",
               "client_cert",   "client_key",       "max_body_bytes", "name",        "id",
               "datacenter",    "region",           "expect",         "post_events", "ruleset",
               "source_address"});
  return std::make_unique<http_check_action>();
}

}  // namespace rb::actions
