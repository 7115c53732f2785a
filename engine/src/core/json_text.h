// json_text: appends compact JSON text to a caller's buffer — the same bytes as
// value::dump(-1, ' ', false, error_handler_t::replace), several times faster for the ASCII text
// events are mostly made of, with no temporary string per value. Used where records are written
// at event rate (the audit log).
#pragma once

#include <string>
#include <string_view>

#include "core/value.h"

namespace rb {

void append_json(std::string& out, const value& v);

// `s` as a JSON string literal, quotes included. Invalid UTF-8 becomes U+FFFD, as dump() does.
void append_json_string(std::string& out, std::string_view s);

}  // namespace rb
