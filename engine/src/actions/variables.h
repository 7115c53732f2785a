// variables: how ansible-rulebook prepares the variables an action sees.
//   mask_secrets: `debug` sees (and prints) every string variable whose key contains token,
//     password, key, passphrase or secret (any case) as "******", at any depth, as
//     ansible-rulebook's mask_sensitive_variable_values does (so `private_key`, `api_token`,
//     `db_password`, `client_secret` are all masked).
//   var_root: the `var_root` argument (a path `a.b`, or a mapping {path: name}) replaces the
//     event by the value at the first path that holds a truthy value (single-event firings), or,
//     for each matching event, sets `events[name]` to the value at the first such path
//     (multi-event firings), as ansible-rulebook's _update_variables does.
#pragma once

#include <optional>

#include "core/value.h"

namespace rb::actions {

inline constexpr const char* masked_string = "******";

value mask_secrets(const value& variables);
bool is_secret_key(std::string_view key) noexcept;

// The event after var_root, or nullopt when no path holds a truthy value (the event stays).
std::optional<value> apply_var_root(const value& event, const value& var_root);
// The events object after var_root (a copy, modified).
value apply_var_root_events(const value& events, const value& var_root);

// A dotted path (`a.b.0`) in a value, as dpath.get with separator "."; nullptr when absent.
const value* dotted_get(const value& root, std::string_view path) noexcept;

// Python's truthiness.
bool truthy(const value& v) noexcept;

}  // namespace rb::actions
