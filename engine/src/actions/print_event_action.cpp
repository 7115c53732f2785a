// `print_event`: prints the matching event (`event`, single-event rules) or events (`events`) in
// a banner, after var_root; `pretty` indents it.
#include "actions/banner.h"
#include "actions/builtin_actions.h"

namespace rb::actions {

namespace {

class print_event_action final : public action {
 public:
  std::string_view audit_name() const noexcept override { return "print_event"; }
  action_result run(const firing& f, const value& args, services& svc) noexcept override {
    try {
      static const value nothing = value::object();
      const value& shown = f.events ? *f.events : f.event ? *f.event : nothing;
      bool pretty = false;
      if (auto p = args.find("pretty"); p != args.end()) pretty = p->is_boolean() && p->get<bool>();
      print_banner(svc.out, "event",
                   shown.dump(pretty ? 4 : -1, ' ', false, value::error_handler_t::replace));
      return {};
    } catch (const std::exception& e) {
      return {false, std::string("print_event: ") + e.what(), nullptr};
    }
  }
};

}  // namespace

std::unique_ptr<action> make_print_event(const value& args) {
  expect_only("print_event", args, {"pretty"});
  if (args.contains("pretty") && !args["pretty"].is_boolean())
    throw action_error("print_event: argument 'pretty' must be true or false");
  return std::make_unique<print_event_action>();
}

}  // namespace rb::actions
