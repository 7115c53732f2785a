// `post_event`: sends `event` into a ruleset's matcher (`ruleset`, default: the rule's own), as
// if a source had produced it; the engine adds meta.source {name: post_event, type: internal}.
#include "actions/builtin_actions.h"

namespace rb::actions {

namespace {

class post_event_action final : public action {
 public:
  std::string_view audit_name() const noexcept override { return "post_event"; }

  action_result run(const firing& f, const value& args, services& svc) noexcept override {
    try {
      const std::string ruleset = target_ruleset("post_event", f, args);
      auto it = args.find("event");
      if (it == args.end() || !it->is_object())
        return {false, "post_event: 'event' must be a mapping after rendering", nullptr};
      if (!svc.post_event) return {false, "post_event: not available", nullptr};
      std::string err = svc.post_event(ruleset, value(*it));
      if (!err.empty()) return {false, "post_event: " + err, nullptr};
      return {};
    } catch (const std::exception& e) {
      return {false, std::string("post_event: ") + e.what(), nullptr};
    }
  }
};

}  // namespace

std::unique_ptr<action> make_post_event(const value& args) {
  expect_only("post_event", args, {"event", "ruleset"});
  if (!args.contains("event")) throw action_error("post_event: missing required argument 'event'");
  if (!args["event"].is_object())
    throw action_error("post_event: argument 'event' must be a mapping");
  if (args.contains("ruleset") && !args["ruleset"].is_string())
    throw action_error("post_event: argument 'ruleset' must be a string");
  return std::make_unique<post_event_action>();
}

}  // namespace rb::actions
