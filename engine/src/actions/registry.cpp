#include <string>

#include "actions/builtin_actions.h"

namespace rb::actions {

namespace {

struct entry {
  std::string_view type;
  std::unique_ptr<action> (*make)(const value&);
};

constexpr entry builtin[] = {
    {"none", make_none},
    {"debug", make_debug},
    {"print_event", make_print_event},
    {"print", make_print},
    {"shutdown", make_shutdown},
    {"post_event", make_post_event},
    {"set_fact", make_set_fact},
    {"retract_fact", make_retract_fact},
    {"http_check", make_http_check},
    {"http_request", make_http_request},
    {"run_playbook", make_run_playbook},
    {"run_module", make_run_module},
    {"run_job_template", make_run_job_template},
    {"run_workflow_template", make_run_workflow_template},
};

}  // namespace

bool is_supported(std::string_view type) {
  for (const auto& e : builtin)
    if (e.type == type) return true;
  return false;
}

std::unique_ptr<action> make_action(std::string_view type, const value& args,
                                    const extra_actions* extra) {
  if (extra)
    for (const auto& [name, make] : *extra)
      if (name == type) return make(args.is_null() ? value::object() : args);
  for (const auto& e : builtin)
    if (e.type == type) return e.make(args.is_null() ? value::object() : args);
  throw action_error(
      "action '" + std::string(type) +
      "' is not supported yet (supported: none, debug, print_event, print, post_event, set_fact, "
      "retract_fact, shutdown, http_check, http_request, run_playbook, run_module, "
      "run_job_template, run_workflow_template)");
}

void expect_only(std::string_view action, const value& args,
                 std::initializer_list<std::string_view> allowed) {
  if (!args.is_object()) throw action_error(std::string(action) + ": arguments must be a mapping");
  for (auto it = args.begin(); it != args.end(); ++it) {
    bool ok = false;
    for (auto a : allowed) ok = ok || it.key() == a;
    if (ok) continue;
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    throw action_error(std::string(action) + ": unknown argument '" + it.key() +
                       "' (allowed: " + list + ")");
  }
}

std::string target_ruleset(std::string_view action, const firing& f, const value& args) {
  auto it = args.find("ruleset");
  if (it == args.end() || it->is_null()) return std::string(f.ruleset);
  if (!it->is_string())
    throw action_error(std::string(action) + ": 'ruleset' must be a string, found " +
                       it->dump(-1, ' ', false, value::error_handler_t::replace));
  return it->get<std::string>();
}

}  // namespace rb::actions
