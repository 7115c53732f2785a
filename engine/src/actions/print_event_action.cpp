// `print_event`: prints the matching event (or events) in a banner; `pretty` indents it.
#include "actions/banner.h"
#include "actions/builtin_actions.h"

namespace rb::actions {

namespace {

class print_event_action final : public action {
 public:
  explicit print_event_action(bool pretty) : pretty_(pretty) {}
  std::string_view audit_name() const noexcept override { return "print_event"; }
  action_result run(const firing& f, const value& args, services& svc) noexcept override {
    try {
      const value& shown = f.event ? *f.event : *f.matching_events;
      const bool pretty = args.contains("pretty") ? args["pretty"].is_boolean() &&
                                                        args["pretty"].get<bool>()
                                                  : pretty_;
      print_banner(svc.out, "event",
                   shown.dump(pretty ? 4 : -1, ' ', false,
                              nlohmann::json::error_handler_t::replace));
      return {};
    } catch (const std::exception& e) {
      return {false, e.what(), nullptr};
    }
  }

 private:
  bool pretty_;
};

}  // namespace

std::unique_ptr<action> make_print_event(const value& args) {
  expect_only("print_event", args, {"pretty", "var_root"});
  bool pretty = false;
  if (args.contains("pretty")) {
    if (!args["pretty"].is_boolean())
      throw action_error("print_event: argument 'pretty' must be true or false");
    pretty = args["pretty"].get<bool>();
  }
  if (args.contains("var_root"))
    throw action_error("print_event: argument 'var_root' is not supported yet");
  return std::make_unique<print_event_action>(pretty);
}

}  // namespace rb::actions
