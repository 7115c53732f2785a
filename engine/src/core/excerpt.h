// excerpt: the part of a source line an error message quotes, with a caret under the column.
// A generated rulebook may hold a 200,000-character line; a message quotes a window around the
// column instead, marked with "..." where the line was cut, and the caret still points at the
// right character.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rb {

struct excerpt {
  std::string text;   // the window of the line, "..." on each cut side
  std::string caret;  // blanks (a tab under a tab) up to the column, then '^'
};

// `line` is one line of text (no newline); `column` is 1-based, in bytes, and may be one past
// the end. The window holds at most `width` code points of the line and is cut only between
// code points, so the excerpt stays valid UTF-8.
excerpt excerpt_at(std::string_view line, std::size_t column, std::size_t width = 80);

// `text` itself when it has at most `width` code points; otherwise its first `width` code points
// followed by "...". For quoting a value or an expression inside a message.
std::string abbreviate(std::string_view text, std::size_t width = 80);

}  // namespace rb
