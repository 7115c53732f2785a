// builtin_actions: factories of the actions executed in-process. Each validates its arguments and
// throws action_error naming the argument.
#pragma once

#include <memory>
#include <string>

#include "actions/action.h"

namespace rb::actions {

std::unique_ptr<action> make_none(const value& args);
std::unique_ptr<action> make_debug(const value& args);
std::unique_ptr<action> make_print_event(const value& args);
std::unique_ptr<action> make_print(const value& args);
std::unique_ptr<action> make_shutdown(const value& args);
std::unique_ptr<action> make_post_event(const value& args);
std::unique_ptr<action> make_set_fact(const value& args);
std::unique_ptr<action> make_retract_fact(const value& args);
std::unique_ptr<action> make_http_check(const value& args);
std::unique_ptr<action> make_http_request(const value& args);
std::unique_ptr<action> make_run_job_template(const value& args);
std::unique_ptr<action> make_run_workflow_template(const value& args);
std::unique_ptr<action> make_run_playbook(const value& args);
std::unique_ptr<action> make_run_module(const value& args);
// run_playbook and run_module run ansible-playbook (the engine checks PATH at start-up).
bool needs_ansible(std::string_view type) noexcept;

// Shared argument checks: throw action_error("<action>: argument '<name>' must be ...").
void expect_only(std::string_view action, const value& args,
                 std::initializer_list<std::string_view> allowed);

// The rendered `ruleset` argument, or the firing's own ruleset when absent (as ansible-rulebook
// fills it in). Throws action_error when it is not a string.
std::string target_ruleset(std::string_view action, const firing& f, const value& args);

}  // namespace rb::actions
