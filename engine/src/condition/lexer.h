// lexer: condition text → tokens, each with its 1-based column and byte extent.
//
// The lexer knows only shapes (numbers, quoted strings, words, punctuation); which words are
// keywords is the parser's business, because ansible-rulebook treats most of them as plain words
// in other positions (`event.in`, a bare `match` as a string). Errors are thrown as
// rb::condition::error and caught by compile().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rb::condition {

enum class token_kind : std::uint8_t {
  end,
  integer,    // 42, also values that do not fit int64 but fit uint64
  real,       // 1.5, 1.5e+2, 1e3
  string,     // 'x' or "x", unquoted text in `text`
  word,       // [A-Za-z_][A-Za-z0-9_]*
  lparen, rparen, lbracket, rbracket, comma, dot,
  eq, ne, lt, le, gt, ge,  // == != < <= > >=
  plus, minus, star, slash,
  shift_left,  // <<
  assign,      // = (regex options; keyword arguments of template filters)
  pipe,        // | (template expressions only: filters)
};

struct token {
  token_kind kind = token_kind::end;
  std::size_t column = 1;  // 1-based, of the first byte
  std::size_t begin = 0;   // byte offsets into the text: [begin, end)
  std::size_t end = 0;
  std::string text;        // word spelling or the unquoted string
  std::int64_t int_value = 0;
  std::uint64_t uint_value = 0;  // when an integer exceeds int64
  bool is_unsigned = false;
  double real_value = 0;
};

// Splits `text` into tokens, always ending with one `end` token. `template_syntax` (the `{{ }}`
// expressions of action templates) adds the `|` token and Python/Jinja string escapes
// (`\\`, `\'`, `\x41`, `\u00e9`, ...); otherwise strings keep backslashes (regexes) and `|` is an
// error.
std::vector<token> tokenize(std::string_view text, bool template_syntax = false);

// How a token looks in messages: `'=='`, `'foo'`, `"x"`, `end of condition`.
std::string describe(const token& t);

}  // namespace rb::condition
