// unicode: the two Unicode facts the filters need to behave like Python's `str`: walking UTF-8 one
// code point at a time (fnmatch's `?` and `[a-z]` work on code points) and Python's `\w` class
// (normalize_keys replaces runs of `\W`). Invalid UTF-8 never throws: each bad byte decodes to its
// own code point in U+DC80..U+DCFF (Python's surrogateescape), which is not a word character.
#pragma once

#include <cstddef>
#include <string_view>

namespace rb::filters {

// Decodes the code point at s[pos] and advances pos past it. Requires pos < s.size().
char32_t next_code_point(std::string_view s, std::size_t& pos) noexcept;

// True when Python 3's `re` would match `\w` on this code point (str.isalnum() or '_').
bool is_word_char(char32_t cp) noexcept;

}  // namespace rb::filters
