// yaml_hints: plain-words explanations for yaml-cpp syntax errors caused by indentation.
// yaml-cpp says "end of sequence not found" or "illegal map value" at a mark; reading the lines
// above the mark tells which list or mapping the line was meant to join and how it misses it.
// INTERNAL to rulebook/ (no yaml-cpp here: it works on the text and the mark alone).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rb::rulebook {

// Where the mistake is (0-based, like YAML::Mark; not always the mark's line) and what it is.
struct yaml_hint {
  int line = 0;
  int column = 0;
  std::string message;
};

// `line` and `column` are yaml-cpp's mark (0-based). Returns nullopt when no indentation mistake
// (a tab, a list item or key that lines up with nothing, a missing space after '-' or ':', an
// unquoted ': ' inside a value) explains the error; the caller then keeps yaml-cpp's words.
std::optional<yaml_hint> explain_yaml_error(std::string_view text, int line, int column);

}  // namespace rb::rulebook
