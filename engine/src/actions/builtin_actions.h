// builtin_actions: factories of the actions executed in-process. Each validates its arguments and
// throws action_error naming the argument.
#pragma once

#include <memory>

#include "actions/action.h"

namespace rb::actions {

std::unique_ptr<action> make_none(const value& args);
std::unique_ptr<action> make_debug(const value& args);
std::unique_ptr<action> make_print_event(const value& args);
std::unique_ptr<action> make_shutdown(const value& args);

// Shared argument checks: throw action_error("<action>: argument '<name>' must be ...").
void expect_only(std::string_view action, const value& args,
                 std::initializer_list<std::string_view> allowed);

}  // namespace rb::actions
