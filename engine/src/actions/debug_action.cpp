// `debug`: prints `msg` (one value or a list) or the variable named by `var` (a dotted path among
// the variables, `event`/`events` included); with no arguments, the firing's details and the
// ruleset's facts. Values print as Python's str() would, as in ansible-rulebook. The variables
// `debug` sees have their secrets masked (variables.h).
#include "actions/banner.h"
#include "actions/builtin_actions.h"
#include "actions/variables.h"
#include "condition/template_python.h"
#include "core/excerpt.h"

namespace rb::actions {

namespace {

value variables_of(const firing& f) {
  value variables = f.vars && f.vars->is_object() ? *f.vars : value::object();
  if (f.event) variables["event"] = *f.event;
  if (f.events) variables["events"] = *f.events;
  return variables;
}

// ansible-rulebook logs "Key <var> not found in variable pool" at error level. Here the message
// also says which step is missing and lists the variables (as `debug` sees them: secrets
// masked, long values cut), so the fix is visible without re-running with more verbosity.
std::string not_found_message(const value& variables, const std::string& name) {
  std::string out = "debug: Key " + name + " not found in variable pool";
  // Which step is missing: the longest dotted prefix that exists.
  const std::string_view path = name;
  std::size_t found_end = 0;
  for (std::size_t end = path.find('.');
       end != std::string_view::npos && dotted_get(variables, path.substr(0, end));
       end = path.find('.', end + 1))
    found_end = end;
  if (found_end > 0) {
    const std::string_view prefix = path.substr(0, found_end);
    const std::string_view rest = path.substr(found_end + 1);
    const std::string_view step = rest.substr(0, rest.find('.'));
    const value& parent = *dotted_get(variables, prefix);
    out += ": '" + std::string(prefix) + "' has no " + (parent.is_array() ? "index" : "key") +
           " '" + std::string(step) + "'";
    if (parent.is_object()) {
      std::string keys;
      for (const auto& [key, unused] : parent.get_ref<const value::object_t&>()) {
        (void)unused;
        keys += (keys.empty() ? "" : ", ") + key;
      }
      out += " (its keys: " + (keys.empty() ? std::string("none") : keys) + ")";
    }
  }
  out += "; the variables are: ";
  bool first = true;
  for (const auto& [key, v] : variables.get_ref<const value::object_t&>()) {
    std::string repr;
    condition::py::append_repr(repr, v);
    out += (first ? "" : ", ") + key + "=" + abbreviate(repr, 60);
    first = false;
  }
  if (first) out += "none";
  return out;
}

class debug_action final : public action {
 public:
  std::string_view audit_name() const noexcept override { return "debug"; }

  action_result run(const firing& f, const value& args, services& svc) noexcept override {
    try {
      if (auto msg = args.find("msg"); msg != args.end()) {
        if (msg->is_array()) {
          for (const auto& m : *msg) print_banner(svc.out, "debug", condition::py::str(m));
        } else {
          print_banner(svc.out, "debug", condition::py::str(*msg));
        }
        return {};
      }
      const value variables = variables_of(f);
      if (auto var = args.find("var"); var != args.end()) {
        const std::string name = condition::py::str(*var);
        const value* found = dotted_get(variables, name);
        if (!found) return {false, not_found_message(variables, name), nullptr};
        print_banner(svc.out, "debug", name + ": " + condition::py::str(*found));
        return {};
      }
      value kwargs = value::object();
      kwargs["rule_set"] = f.ruleset;
      kwargs["rule_set_uuid"] = f.ruleset_uuid;
      kwargs["rule"] = f.rule;
      kwargs["rule_uuid"] = f.rule_uuid;
      kwargs["rule_run_at"] = std::string(f.rule_run_at);
      kwargs["variables"] = variables;
      print_banner(svc.out, "debug: kwargs",
                   kwargs.dump(4, ' ', false, value::error_handler_t::replace));
      const value facts = svc.facts ? svc.facts(f.ruleset) : value::array();
      print_banner(svc.out, "debug: facts",
                   facts.dump(4, ' ', false, value::error_handler_t::replace));
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
