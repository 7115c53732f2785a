// yaml_scalar: the type of an untagged (plain) YAML scalar, resolved the way PyYAML's safe_load
// does (YAML 1.1), because rulebooks are written against ansible-rulebook, which uses PyYAML.
// So yes/no/on/off are booleans, 0o17 is a string but 017 is octal 15, 1_000 is 1000, 1:30 is 90,
// and 1e3 is a string (PyYAML floats need a dot and a signed exponent). Timestamps stay strings.
#pragma once

#include <optional>
#include <string_view>

#include "core/value.h"

namespace rb::rulebook {

// Resolves a plain scalar to null, bool, int, float or (otherwise) string.
value resolve_plain_scalar(std::string_view text);

// For explicit tags (!!int, !!float, !!bool, !!null): the scalar read as that type, or nullopt
// when the text is not one.
std::optional<value> resolve_int(std::string_view text);
std::optional<value> resolve_float(std::string_view text);
std::optional<value> resolve_bool(std::string_view text);
bool is_null_scalar(std::string_view text);

}  // namespace rb::rulebook
