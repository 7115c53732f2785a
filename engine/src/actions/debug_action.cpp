// `debug`: prints `msg` (a string or a list of them) or the variable named by `var`; with no
// arguments, the firing's details. Output is ansible-rulebook's banner.
#include "actions/banner.h"
#include "actions/builtin_actions.h"

namespace rb::actions {

namespace {

std::string as_text(const value& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Looks up a dotted name ("event.i", "vars_name.key") among the firing's variables.
const value* lookup_var(const value& variables, const std::string& dotted) {
  const value* cur = &variables;
  std::size_t start = 0;
  while (start <= dotted.size()) {
    const std::size_t dot = dotted.find('.', start);
    const std::string part = dotted.substr(start, dot == std::string::npos ? std::string::npos
                                                                           : dot - start);
    if (cur->is_object()) {
      auto it = cur->find(part);
      if (it == cur->end()) return nullptr;
      cur = &*it;
    } else if (cur->is_array() && !part.empty() &&
               part.find_first_not_of("0123456789") == std::string::npos) {
      const std::size_t idx = std::stoul(part);
      if (idx >= cur->size()) return nullptr;
      cur = &(*cur)[idx];
    } else {
      return nullptr;
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return cur;
}

class debug_action final : public action {
 public:
  std::string_view audit_name() const noexcept override { return "debug"; }

  action_result run(const firing& f, const value& args, services& svc) noexcept override {
    try {
      if (args.contains("msg")) {
        const value& msg = args["msg"];
        if (msg.is_array()) {
          for (const auto& m : msg) print_banner(svc.out, "debug", as_text(m));
        } else {
          print_banner(svc.out, "debug", as_text(msg));
        }
        return {};
      }
      value variables = svc.vars && svc.vars->is_object() ? *svc.vars : value::object();
      if (f.event) variables["event"] = *f.event;
      else if (f.matching_events) variables["events"] = *f.matching_events;
      if (args.contains("var")) {
        const std::string name = as_text(args["var"]);
        const value* found = lookup_var(variables, name);
        if (!found) return {false, "debug: variable '" + name + "' is not defined", nullptr};
        print_banner(svc.out, "debug", name + ": " + as_text(*found));
        return {};
      }
      value kwargs = value::object();
      kwargs["ruleset"] = f.ruleset;
      kwargs["rule"] = f.rule;
      kwargs["rule_run_at"] = f.rule_run_at;
      kwargs["variables"] = std::move(variables);
      print_banner(svc.out, "debug: kwargs",
                   kwargs.dump(4, ' ', false, nlohmann::json::error_handler_t::replace));
      return {};
    } catch (const std::exception& e) {
      return {false, std::string("debug: ") + e.what(), nullptr};
    }
  }
};

}  // namespace

std::unique_ptr<action> make_debug(const value& args) {
  expect_only("debug", args, {"msg", "var"});
  if (args.contains("msg") && args.contains("var"))
    throw action_error("debug: 'msg' and 'var' are mutually exclusive");
  if (args.contains("var") && !args["var"].is_string())
    throw action_error("debug: argument 'var' must be a string naming a variable");
  return std::make_unique<debug_action>();
}

}  // namespace rb::actions
