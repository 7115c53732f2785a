// templating: load-time rendering of `{{ name }}` / `{{ a.b }}` in source and filter arguments and
// rule names, with the variables from --vars/--env-vars (ansible-rulebook renders these with
// Jinja2 against the same variables).
// A string that is exactly one `{{ expr }}` yields the variable's own value (int stays int, a
// mapping stays a mapping), as Jinja's NativeEnvironment does; otherwise each `{{ expr }}` is
// replaced by its text (Python's str(): True, None, {'a': 1}). Only variable names and dotted or
// indexed paths are supported; Jinja filters and statements are reported as not supported yet.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "core/value.h"

namespace rb::rulebook {

struct render_error {
  std::size_t offset = 0;  // byte offset inside the text where the problem starts
  std::string message;
};

// ansible-rulebook renders a string only when it contains both "{{" and "}}".
bool needs_rendering(std::string_view text);

std::variant<value, render_error> render_template(std::string_view text, const value& vars);

// Python's str() of a value: how Jinja prints it inside a larger string.
std::string python_str(const value& v);

}  // namespace rb::rulebook
