// event_json: parses the JSON text of one plugin event into a value, faster than value::parse for
// the events plugins usually send, with exactly value::parse's result.
//
// Contract:
// - parse_event(text, len) returns what value::parse(text, text + len) returns, and throws what it
//   throws (nlohmann::json::parse_error) for text that is not JSON.
// - A fast path handles the common subset: objects, arrays, strings of printable ASCII without
//   escapes, integers of up to 18 digits, true, false, null, nesting up to 64 levels. For any
//   other text (escapes, non-ASCII, floats, big integers, errors) it gives up without side effects
//   and the text goes to value::parse, so results and error messages never differ.
// - Why: value::parse costs ~300 ns even for {"n": 1} (lexer and parser set-up, locale lookup,
//   a stack vector), which alone kept .so sources below 80 % of the built-in range's throughput.
#pragma once

#include <cstddef>
#include <optional>

#include "core/value.h"

namespace rb::sources::so {

// The fast path alone: nullopt when the text is outside the subset (or invalid).
std::optional<value> parse_event_fast(const char* text, std::size_t len);

value parse_event(const char* text, std::size_t len);

}  // namespace rb::sources::so
