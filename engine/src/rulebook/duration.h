// duration: ansible-rulebook's time spans, "<integer> <unit>" with exactly one whitespace between
// (the schema's pattern ^\d+\s(unit)$). default_events_ttl takes second(s), minute(s), hour(s),
// day(s); timeouts and throttles also take millisecond(s).
// INTERNAL to rulebook/; the public entry point is parse_duration() in loader.h.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace rb::rulebook {

std::optional<std::chrono::milliseconds> parse_duration_text(std::string_view text, bool allow_ms);

// The accepted forms, for error messages.
std::string duration_forms(bool allow_ms);

}  // namespace rb::rulebook
