// value: the JSON-like type of events, facts, variables and action arguments.
// ordered_json keeps keys in insertion order, as Python dicts do in ansible-rulebook, so printed
// events and audit records look the same; lookups are linear, which is fastest for small events.
#pragma once

#include <nlohmann/json.hpp>

namespace rb {

using value = nlohmann::ordered_json;

}  // namespace rb
