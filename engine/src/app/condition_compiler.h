// condition_compiler: compiles a rule's condition text and, on failure, writes the error the way
// users need it: file:line:column of the fault inside the condition, the rule's name, the text
// and a caret under the column.
#pragma once

#include <string>
#include <variant>

#include "condition/condition.h"
#include "rulebook/model.h"

namespace rb::app {

std::variant<condition::program, std::string> compile_rule_condition(
    const rulebook::rule_spec& rule, const rulebook::condition_text& text, const value& vars);

}  // namespace rb::app
