// `http_request`: one HTTP request for notifications (Slack, Alertmanager, any webhook), on the
// loop's client, retried with back-off. Arguments: url, method (POST when there is a body, GET
// otherwise), headers, body (text, or a mapping/list sent as JSON), timeout, verify_ssl,
// follow_redirects, proxy, ca_file, client_cert, client_key, expect (the status it must answer,
// default any 2xx), retries (0), retry_delay (seconds, 1; doubled after each attempt, at most
// 60). It succeeds when an answer meets `expect`; it retries when none came or the status did
// not meet it.
#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <memory>

#include "actions/builtin_actions.h"
#include "actions/check_spec.h"
#include "actions/http_expect.h"
#include "core/clock.h"

namespace rb::actions {

namespace {

struct request_context {
  http_request request;
  expectation expect;
  int retries = 0;
  double delay_s = 1;
  int attempt = 0;
  bool cancelled = false;
  std::unique_ptr<boost::asio::steady_timer> timer;
  completion done;
};

class http_request_action final : public action {
 public:
  std::string_view audit_name() const noexcept override { return "http_request"; }

  void start(const firing& f, const value& args, services& svc, completion done,
             cancel_slot& cancel) noexcept override {
    (void)f;
    auto ctx = std::make_shared<request_context>();
    std::string error;
    try {
      error = prepare(args, *ctx);
    } catch (const std::exception& e) {
      error = std::string("http_request: ") + e.what();
    }
    if (error.empty() && !svc.http) error = "http_request: no HTTP client in this engine";
    if (!error.empty()) {
      done({false, std::move(error), nullptr});
      return;
    }
    ctx->done = std::move(done);
    ctx->timer = std::make_unique<boost::asio::steady_timer>(svc.executor);
    cancel.handler = [ctx] {
      ctx->cancelled = true;
      ctx->timer->cancel();
    };
    attempt(ctx, svc);
  }

 private:
  static std::string prepare(const value& args, request_context& ctx) {
    check_spec spec;
    if (!args.contains("method"))
      spec.request.method = args.contains("body") && !args["body"].is_null() ? "POST" : "GET";
    std::string error = read_check_spec("http_request", args, spec);
    if (!error.empty()) return error;
    ctx.request = std::move(spec.request);
    ctx.request.fresh_connection = false;  // notifications may reuse a connection
    if (auto e = args.find("expect"); e != args.end()) {
      error = read_expectation(*e, ctx.expect);
      if (!error.empty()) return "http_request: " + error;
    }
    if (auto r = args.find("retries"); r != args.end()) {
      if (!r->is_number_integer() || r->get<long long>() < 0 || r->get<long long>() > 100)
        return "http_request: 'retries' must be an integer from 0 to 100 (got " + r->dump() + ")";
      ctx.retries = r->get<int>();
    }
    if (auto d = args.find("retry_delay"); d != args.end()) {
      if (!d->is_number() || d->get<double>() < 0)
        return "http_request: 'retry_delay' must be a number of seconds (got " + d->dump() + ")";
      ctx.delay_s = d->get<double>();
    }
    return {};
  }

  static void attempt(const std::shared_ptr<request_context>& ctx, services& svc) {
    ++ctx->attempt;
    svc.http->send(ctx->request, [ctx, &svc](http_response r) {
      if (ctx->cancelled) return;
      std::string problem;
      if (!r.responded) {
        problem = r.error;
      } else {
        const value failed = failed_conditions(ctx->expect, r, utc_now_us() / 1000000);
        if (!failed.empty())
          problem =
              "answered " + std::to_string(r.status) + ", expected " + failed[0]["expected"].dump();
      }
      value extra = value::object();
      extra["url"] = ctx->request.url;
      extra["attempts"] = ctx->attempt;
      if (r.responded) extra["status_code"] = r.status;
      if (problem.empty()) {
        ctx->done({true, {}, std::move(extra)});
        return;
      }
      if (ctx->attempt > ctx->retries) {
        ctx->done({false,
                   "http_request: " + ctx->request.method + " " + ctx->request.url + ": " +
                       problem + " (after " + std::to_string(ctx->attempt) + " attempt" +
                       (ctx->attempt == 1 ? "" : "s") + ")",
                   std::move(extra)});
        return;
      }
      const double wait = std::min(60.0, ctx->delay_s * double(1 << std::min(ctx->attempt - 1, 6)));
      ctx->timer->expires_after(std::chrono::milliseconds(static_cast<long long>(wait * 1000)));
      ctx->timer->async_wait([ctx, &svc](const boost::system::error_code& ec) {
        if (ec || ctx->cancelled) return;
        attempt(ctx, svc);
      });
    });
  }
};

}  // namespace

std::unique_ptr<action> make_http_request(const value& args) {
  expect_only("http_request", args,
              {"url", "method", "headers", "body", "timeout", "verify_ssl", "follow_redirects",
               "ip_version", "proxy", "ca_file", "client_cert", "client_key", "max_body_bytes",
               "expect", "retries", "retry_delay"});
  if (!args.contains("url")) throw action_error("http_request: missing required argument 'url'");
  return std::make_unique<http_request_action>();
}

}  // namespace rb::actions
