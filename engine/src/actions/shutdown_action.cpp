// `shutdown`: asks the engine to stop, `graceful` (default: finish queued work, wait up to
// `delay` seconds for running actions) or `now`.
#include <cstdio>

#include "actions/banner.h"
#include "actions/builtin_actions.h"

namespace rb::actions {

namespace {

class shutdown_action final : public action {
 public:
  std::string_view audit_name() const noexcept override { return "shutdown"; }

  action_result run(const firing& f, const value& args, services& svc) noexcept override {
    try {
      shutdown_request req;
      req.delay_seconds = args.contains("delay") ? args["delay"].get<double>() : svc.shutdown_delay;
      req.message = args.contains("message") ? args["message"].get<std::string>()
                                             : "Default shutdown message";
      const std::string kind = args.contains("kind") ? args["kind"].get<std::string>() : "graceful";
      req.kind = kind == "now" ? shutdown_kind::now : shutdown_kind::graceful;
      req.ruleset = f.ruleset;
      req.rule = f.rule;
      char delay[32];
      std::snprintf(delay, sizeof delay, "%.3f", req.delay_seconds);
      print_banner(svc.out, "ruleset",
                   std::string(f.ruleset) + " rule: " + std::string(f.rule) +
                       " has initiated shutdown of type: " + kind + ". Delay: " + delay +
                       " seconds, Message: " + req.message);
      action_result r;
      r.extra = value::object();
      r.extra["delay"] = req.delay_seconds;
      r.extra["message"] = req.message;
      r.extra["kind"] = kind;
      if (svc.request_shutdown) svc.request_shutdown(req);
      return r;
    } catch (const std::exception& e) {
      return {false, std::string("shutdown: ") + e.what(), nullptr};
    }
  }
};

}  // namespace

std::unique_ptr<action> make_shutdown(const value& args) {
  expect_only("shutdown", args, {"delay", "message", "kind"});
  if (args.contains("delay") && !(args["delay"].is_number() && args["delay"].get<double>() >= 0))
    throw action_error("shutdown: argument 'delay' must be a number of seconds >= 0");
  if (args.contains("message") && !args["message"].is_string())
    throw action_error("shutdown: argument 'message' must be a string");
  if (args.contains("kind") &&
      !(args["kind"].is_string() && (args["kind"] == "graceful" || args["kind"] == "now")))
    throw action_error("shutdown: argument 'kind' must be 'graceful' or 'now'");
  return std::make_unique<shutdown_action>();
}

}  // namespace rb::actions
