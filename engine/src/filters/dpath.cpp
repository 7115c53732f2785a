#include "filters/dpath.h"

#include <algorithm>
#include <climits>
#include <stdexcept>

#include "filters/unicode.h"

namespace rb::filters {

namespace {

bool is_py_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Python's int(text) for the ASCII spellings: surrounding whitespace, a sign, digits with single
// underscores between them. Returns false when int() would raise.
bool parse_py_int(std::string_view s, long long& out, bool& overflow) {
  while (!s.empty() && is_py_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_py_space(s.back())) s.remove_suffix(1);
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  unsigned long long v = 0;
  overflow = false;
  bool prev_digit = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '_') {
      if (!prev_digit || i + 1 == s.size()) return false;
      prev_digit = false;
      continue;
    }
    if (c < '0' || c > '9') return false;
    prev_digit = true;
    if (v > (ULLONG_MAX - 9) / 10) {
      overflow = true;
    } else {
      v = v * 10 + static_cast<unsigned long long>(c - '0');
    }
  }
  if (v > static_cast<unsigned long long>(LLONG_MAX)) overflow = true;
  out = overflow ? 0 : (negative ? -static_cast<long long>(v) : static_cast<long long>(v));
  return true;
}

}  // namespace

dpath_glob::dpath_glob(std::string_view path, std::string_view separator) : path_(path) {
  if (path.empty() || path == "/") {
    root_ = true;
    return;
  }
  if (separator.empty()) throw std::invalid_argument("empty separator");
  // str.lstrip(separator): the separator is a set of characters here, not a string.
  std::u32string strip_set;
  for (std::size_t pos = 0; pos < separator.size();) {
    strip_set.push_back(next_code_point(separator, pos));
  }
  std::size_t start = 0;
  while (start < path.size()) {
    std::size_t next = start;
    const char32_t cp = next_code_point(path, next);
    if (strip_set.find(cp) == std::u32string::npos) break;
    start = next;
  }
  std::string_view rest = path.substr(start);
  std::size_t double_stars = 0;
  while (true) {
    const std::size_t cut = rest.find(separator);
    const std::string_view text = rest.substr(0, cut);
    segment seg{glob_pattern(text)};
    seg.double_star = text == "**";
    seg.is_int = parse_py_int(text, seg.int_value, seg.int_overflow);
    if (seg.double_star) ++double_stars;
    if (seg.double_star || !seg.pattern.is_literal()) has_wildcards_ = true;
    segments_.push_back(std::move(seg));
    if (cut == std::string_view::npos) break;
    rest.remove_prefix(cut + separator.size());
  }
  if (double_stars > 1) throw std::invalid_argument("only one '**' segment is allowed");
}

bool dpath_glob::segment_matches_key(const segment& seg, std::string_view key) const noexcept {
  return seg.pattern.match(key);
}

bool dpath_glob::segment_matches_index(const segment& seg, std::size_t index,
                                       std::size_t size) const noexcept {
  if (seg.is_int) {
    if (seg.int_overflow) return false;
    const auto i = static_cast<long long>(index);
    return seg.int_value == i || static_cast<long long>(size) + seg.int_value == i;
  }
  return seg.pattern.match(std::to_string(index));
}

dpath_glob::result dpath_glob::find(value& root) const noexcept {
  result r;
  if (root_) {
    r.count = 1;
    r.found = &root;
    return r;
  }
  if (!has_wildcards_) {
    // Plain path: at most one node can match, so walk straight to it.
    value* node = &root;
    for (const auto& seg : segments_) {
      if (node->is_object()) {
        auto it = node->find(seg.pattern.text());
        if (it == node->end()) return r;
        node = &*it;
      } else if (node->is_array()) {
        const std::size_t size = node->size();
        if (!seg.is_int || seg.int_overflow) return r;
        long long i =
            seg.int_value < 0 ? seg.int_value + static_cast<long long>(size) : seg.int_value;
        if (i < 0 || i >= static_cast<long long>(size)) return r;
        node = &(*node)[static_cast<std::size_t>(i)];
      } else {
        return r;
      }
    }
    r.count = 1;
    r.found = node;
    return r;
  }
  visit(root, 0, r);
  if (r.count != 1) r.found = nullptr;
  return r;
}

// `node` was reached by a path matching segments_[0, gi) (with `**` standing for any number of
// levels); try every child against what remains.
void dpath_glob::visit(value& node, std::size_t gi, result& r) const noexcept {
  const std::size_t n = segments_.size();
  const auto try_child = [&](value& child, auto&& matches) {
    if (r.count >= 2) return;
    if (gi < n && segments_[gi].double_star) {
      visit_child(child, gi, r);  // `**` takes this level too
      if (gi + 1 < n && matches(segments_[gi + 1])) visit_child(child, gi + 2, r);
    } else if (gi < n && matches(segments_[gi])) {
      visit_child(child, gi + 1, r);
    }
  };
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end() && r.count < 2; ++it) {
      const std::string& key = it.key();
      try_child(*it, [&](const segment& s) { return segment_matches_key(s, key); });
    }
  } else if (node.is_array()) {
    const std::size_t size = node.size();
    for (std::size_t i = 0; i < size && r.count < 2; ++i) {
      try_child(node[i], [&](const segment& s) { return segment_matches_index(s, i, size); });
    }
  }
}

void dpath_glob::visit_child(value& child, std::size_t gi, result& r) const noexcept {
  if (r.count >= 2) return;
  const std::size_t n = segments_.size();
  const bool trailing_star = gi + 1 == n && segments_[gi].double_star;
  if (gi == n || trailing_star) {
    if (++r.count == 1) r.found = &child;
    if (r.count >= 2) return;
  }
  if (gi < n && (child.is_object() || child.is_array())) visit(child, gi, r);
}

}  // namespace rb::filters
