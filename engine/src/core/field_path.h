// field_path: a dotted/bracketed path (`a.b["c d"][0][-1]`) compiled once into steps, so the hot
// path walks a value without re-parsing text. A missing key, an out-of-range index or a step into
// a non-container yields nullptr, never an exception.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/value.h"

namespace rb {

struct path_step {
  enum class kind { key, index };
  kind type = kind::key;
  std::string key;  // when type == key
  long index = 0;   // when type == index; negative counts from the end
};

using field_path = std::vector<path_step>;

// Walks `root` along `path`; nullptr when any step is missing.
const value* resolve(const value& root, const field_path& path) noexcept;

// Reads `a.b[0]["c d"][-1]` or `a.b.0` (a dotted index) into steps; false when the text is not a
// path. For paths written as data (http_check's `expect.json`), not in conditions.
bool parse_field_path(std::string_view text, field_path& out);

// Renders a path back to text (`a.b["c d"][0]`) for messages.
std::string to_string(const field_path& path);

}  // namespace rb
