// fnmatch: shell-style patterns with exactly the semantics of Python's fnmatch.fnmatchcase (which
// ansible-rulebook's json_filter and dpath use): `*` any run, `?` one code point, `[seq]`,
// `[!seq]`, no escaping with backslash, `/` and a leading `.` are ordinary characters, an
// unterminated `[` is literal, and the bracket quirks of fnmatch.translate (e.g. `[^a]` means '^'
// or 'a', `[z-a]` is an empty range). Compile once; match() allocates nothing and never throws.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rb::filters {

class glob_pattern {
 public:
  explicit glob_pattern(std::string_view pattern);

  bool match(std::string_view text) const noexcept;

  // True when the pattern has no wildcard or bracket: it matches only the pattern text itself.
  bool is_literal() const noexcept { return literal_; }
  const std::string& text() const noexcept { return text_; }

 private:
  struct char_set {
    bool negate = false;
    std::vector<std::pair<char32_t, char32_t>> ranges;  // inclusive; empty + !negate = never
    bool contains(char32_t cp) const noexcept;
  };
  struct token {
    enum class kind { literal, any, star, set } type;
    char32_t cp = 0;      // literal
    std::size_t set = 0;  // index into sets_
  };

  bool token_matches(const token& t, char32_t cp) const noexcept;
  void add_bracket(const std::u32string& stuff);

  std::string text_;
  std::vector<token> tokens_;
  std::vector<char_set> sets_;
  bool literal_ = true;
};

}  // namespace rb::filters
