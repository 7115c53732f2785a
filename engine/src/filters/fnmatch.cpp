#include "filters/fnmatch.h"

#include "filters/unicode.h"

namespace rb::filters {

namespace {

std::u32string decode(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t pos = 0; pos < s.size();) out.push_back(next_code_point(s, pos));
  return out;
}

std::size_t find_dash(const std::u32string& p, std::size_t from, std::size_t to) {
  for (std::size_t k = from; k < to; ++k) {
    if (p[k] == U'-') return k;
  }
  return std::u32string::npos;
}

// One chunk as fnmatch.translate escapes it: backslashes and hyphens become literal.
void append_escaped_chunk(std::u32string& out, const std::u32string& chunk) {
  for (char32_t c : chunk) {
    if (c == U'\\' || c == U'-') out.push_back(U'\\');
    out.push_back(c);
  }
}

}  // namespace

bool glob_pattern::char_set::contains(char32_t cp) const noexcept {
  bool in = false;
  for (const auto& [lo, hi] : ranges) {
    if (cp >= lo && cp <= hi) {
      in = true;
      break;
    }
  }
  return in != negate;
}

glob_pattern::glob_pattern(std::string_view pattern) : text_(pattern) {
  // Mirrors fnmatch.translate token by token so that odd patterns mean what they mean in Python.
  const std::u32string p = decode(pattern);
  const std::size_t n = p.size();
  std::size_t i = 0;
  while (i < n) {
    const char32_t c = p[i++];
    if (c == U'*') {
      if (tokens_.empty() || tokens_.back().type != token::kind::star) {
        tokens_.push_back({token::kind::star});
      }
    } else if (c == U'?') {
      tokens_.push_back({token::kind::any});
    } else if (c == U'[') {
      std::size_t j = i;
      if (j < n && p[j] == U'!') ++j;
      if (j < n && p[j] == U']') ++j;
      while (j < n && p[j] != U']') ++j;
      if (j >= n) {
        tokens_.push_back({token::kind::literal, U'['});
        continue;
      }
      std::u32string stuff;
      if (find_dash(p, i, j) == std::u32string::npos) {
        for (std::size_t k = i; k < j; ++k) {
          if (p[k] == U'\\') stuff.push_back(U'\\');
          stuff.push_back(p[k]);
        }
      } else {
        // Split at the hyphens that form ranges, then drop ranges whose ends are reversed
        // (Python would otherwise build an invalid regex).
        std::vector<std::u32string> chunks;
        std::size_t start = i;
        std::size_t k = p[i] == U'!' ? i + 2 : i + 1;
        while (true) {
          k = k < j ? find_dash(p, k, j) : std::u32string::npos;
          if (k == std::u32string::npos) break;
          chunks.push_back(p.substr(start, k - start));
          start = k + 1;
          k += 3;
        }
        if (start < j) {
          chunks.push_back(p.substr(start, j - start));
        } else {
          chunks.back().push_back(U'-');
        }
        for (std::size_t m = chunks.size() - 1; m > 0; --m) {
          if (chunks[m - 1].empty() || chunks[m].empty()) continue;
          if (chunks[m - 1].back() > chunks[m].front()) {
            chunks[m - 1].pop_back();
            chunks[m - 1].append(chunks[m], 1);
            chunks.erase(chunks.begin() + static_cast<std::ptrdiff_t>(m));
          }
        }
        for (std::size_t m = 0; m < chunks.size(); ++m) {
          if (m > 0) stuff.push_back(U'-');
          append_escaped_chunk(stuff, chunks[m]);
        }
      }
      i = j + 1;
      add_bracket(stuff);
    } else {
      tokens_.push_back({token::kind::literal, c});
    }
  }
  for (const auto& t : tokens_) {
    if (t.type != token::kind::literal) literal_ = false;
  }
}

// `stuff` is the body of the regex character class fnmatch.translate builds (set operators are
// not special to us, so their escaping is skipped); this parses it the way Python's sre does.
void glob_pattern::add_bracket(const std::u32string& stuff) {
  char_set set;
  std::size_t pos = 0;
  if (stuff.empty()) {
    // Empty range: never matches.
  } else if (stuff == U"!") {
    set.negate = true;  // negated empty set: any character
  } else if (stuff[0] == U'!') {
    set.negate = true;
    pos = 1;
  }
  // A leading '^' or '[' is escaped by fnmatch, i.e. literal: nothing to do here.
  const auto atom = [&]() {
    if (stuff[pos] == U'\\' && pos + 1 < stuff.size()) {
      pos += 2;
      return stuff[pos - 1];
    }
    return stuff[pos++];
  };
  if (stuff != U"!") {
    while (pos < stuff.size()) {
      const char32_t lo = atom();
      if (pos < stuff.size() && stuff[pos] == U'-') {
        ++pos;
        if (pos >= stuff.size()) {
          set.ranges.emplace_back(lo, lo);
          set.ranges.emplace_back(U'-', U'-');
          break;
        }
        const char32_t hi = atom();
        if (lo <= hi) set.ranges.emplace_back(lo, hi);  // Python raises on a reversed range
      } else {
        set.ranges.emplace_back(lo, lo);
      }
    }
  }
  tokens_.push_back({token::kind::set, 0, sets_.size()});
  sets_.push_back(std::move(set));
}

bool glob_pattern::token_matches(const token& t, char32_t cp) const noexcept {
  switch (t.type) {
    case token::kind::literal:
      return t.cp == cp;
    case token::kind::any:
      return true;
    case token::kind::set:
      return sets_[t.set].contains(cp);
    case token::kind::star:
      break;
  }
  return false;
}

bool glob_pattern::match(std::string_view text) const noexcept {
  if (literal_) return text == text_;
  // Classic wildcard matching with one backtrack point: every non-star token eats exactly one
  // code point, so retrying from the latest star is enough (what the atomic groups in
  // fnmatch.translate's regex rely on as well).
  const std::size_t nt = tokens_.size();
  std::size_t t = 0;
  std::size_t s = 0;
  std::size_t star_t = nt;  // none
  std::size_t star_s = 0;
  while (s < text.size()) {
    if (t < nt && tokens_[t].type == token::kind::star) {
      star_t = t++;
      star_s = s;
      continue;
    }
    if (t < nt) {
      std::size_t next = s;
      const char32_t cp = next_code_point(text, next);
      if (token_matches(tokens_[t], cp)) {
        ++t;
        s = next;
        continue;
      }
    }
    if (star_t == nt) return false;
    t = star_t + 1;
    next_code_point(text, star_s);
    s = star_s;
  }
  while (t < nt && tokens_[t].type == token::kind::star) ++t;
  return t == nt;
}

}  // namespace rb::filters
