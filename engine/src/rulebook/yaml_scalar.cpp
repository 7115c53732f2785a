#include "rulebook/yaml_scalar.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace rb::rulebook {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// True when every char of s satisfies pred or is '_' and at least one char is present.
template <typename Pred>
bool all_of_or_underscore(std::string_view s, Pred pred) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c != '_' && !pred(c)) return false;
  }
  return true;
}

std::string strip_underscores(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c != '_') out.push_back(c);
  }
  return out;
}

// Digits in `base` → integer value; beyond 64 bits the value degrades to a double, as JSON
// consumers would see it anyway (PyYAML keeps arbitrary precision).
value make_integer(std::string_view digits, int base, bool negative) {
  unsigned __int128 acc = 0;
  bool overflow = false;
  long double approx = 0;
  for (char c : digits) {
    int d = is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
    approx = approx * base + d;
    if (!overflow) {
      acc = acc * static_cast<unsigned>(base) + static_cast<unsigned>(d);
      if (acc > std::numeric_limits<std::uint64_t>::max()) overflow = true;
    }
  }
  if (!overflow) {
    const auto u = static_cast<std::uint64_t>(acc);
    if (!negative) {
      if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return value(static_cast<std::int64_t>(u));
      }
      return value(u);
    }
    if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1) {
      return value(static_cast<std::int64_t>(0 - u));
    }
  }
  return value(static_cast<double>(negative ? -approx : approx));
}

// "[1-9][0-9_]*(:[0-5]?[0-9])+" (int) or the same followed by "\.[0-9_]*" (float).
bool is_sexagesimal(std::string_view s, bool with_fraction) {
  std::size_t i = 0;
  if (i >= s.size() || !is_digit(s[i])) return false;
  if (!with_fraction && s[i] == '0') return false;
  while (i < s.size() && (is_digit(s[i]) || s[i] == '_')) ++i;
  int groups = 0;
  while (i < s.size() && s[i] == ':') {
    ++i;
    std::size_t start = i;
    while (i < s.size() && is_digit(s[i]) && i - start < 2) ++i;
    const std::size_t n = i - start;
    if (n == 0) return false;
    if (n == 2 && s[start] > '5') return false;
    ++groups;
  }
  if (groups == 0) return false;
  if (!with_fraction) return i == s.size();
  if (i >= s.size() || s[i] != '.') return false;
  ++i;
  while (i < s.size() && (is_digit(s[i]) || s[i] == '_')) ++i;
  return i == s.size();
}

long double sexagesimal_value(std::string_view s) {
  long double total = 0;
  std::size_t start = 0;
  while (true) {
    std::size_t colon = s.find(':', start);
    std::string part = strip_underscores(s.substr(start, colon - start));
    total = total * 60 + std::stold(part);
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  return total;
}

// [-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?  or  \.[0-9][0-9_]*([eE][-+][0-9]+)? (unsigned)
bool is_decimal_float(std::string_view s, bool had_sign) {
  std::size_t i = 0;
  if (i < s.size() && s[i] == '.') {
    if (had_sign) return false;
    ++i;
    if (i >= s.size() || !is_digit(s[i])) return false;
  } else {
    if (i >= s.size() || !is_digit(s[i])) return false;
    while (i < s.size() && (is_digit(s[i]) || s[i] == '_')) ++i;
    if (i >= s.size() || s[i] != '.') return false;
    ++i;
  }
  while (i < s.size() && (is_digit(s[i]) || s[i] == '_')) ++i;
  if (i == s.size()) return true;
  if (s[i] != 'e' && s[i] != 'E') return false;
  ++i;
  if (i >= s.size() || (s[i] != '+' && s[i] != '-')) return false;
  ++i;
  if (i >= s.size()) return false;
  for (; i < s.size(); ++i) {
    if (!is_digit(s[i])) return false;
  }
  return true;
}

}  // namespace

bool is_null_scalar(std::string_view t) {
  return t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL";
}

std::optional<value> resolve_bool(std::string_view t) {
  static constexpr std::string_view yes[] = {"yes",  "Yes", "YES", "true", "True",
                                             "TRUE", "on",  "On",  "ON"};
  static constexpr std::string_view no[] = {"no",    "No",  "NO",  "false", "False",
                                            "FALSE", "off", "Off", "OFF"};
  for (auto w : yes) {
    if (t == w) return value(true);
  }
  for (auto w : no) {
    if (t == w) return value(false);
  }
  return std::nullopt;
}

std::optional<value> resolve_int(std::string_view t) {
  bool negative = false;
  std::string_view s = t;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  if (s.size() > 2 && s[0] == '0' && s[1] == 'b') {
    auto body = s.substr(2);
    if (!all_of_or_underscore(body, [](char c) { return c == '0' || c == '1'; })) {
      return std::nullopt;
    }
    auto digits = strip_underscores(body);
    if (digits.empty()) return std::nullopt;
    return make_integer(digits, 2, negative);
  }
  if (s.size() > 2 && s[0] == '0' && s[1] == 'x') {
    auto body = s.substr(2);
    if (!all_of_or_underscore(body, is_hex)) return std::nullopt;
    auto digits = strip_underscores(body);
    if (digits.empty()) return std::nullopt;
    return make_integer(digits, 16, negative);
  }
  if (s == "0") return value(0);
  if (s[0] == '0') {
    if (!all_of_or_underscore(s.substr(1), [](char c) { return c >= '0' && c <= '7'; })) {
      return std::nullopt;
    }
    return make_integer(strip_underscores(s), 8, negative);
  }
  if (is_digit(s[0]) && all_of_or_underscore(s, is_digit)) {
    return make_integer(strip_underscores(s), 10, negative);
  }
  if (is_sexagesimal(s, false)) {
    const long double v = sexagesimal_value(s);
    if (v <= static_cast<long double>(std::numeric_limits<std::int64_t>::max())) {
      const auto i = static_cast<std::int64_t>(v);
      return value(negative ? -i : i);
    }
    return value(static_cast<double>(negative ? -v : v));
  }
  return std::nullopt;
}

std::optional<value> resolve_float(std::string_view t) {
  bool negative = false;
  bool had_sign = false;
  std::string_view s = t;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    had_sign = true;
    s.remove_prefix(1);
  }
  if (s == ".inf" || s == ".Inf" || s == ".INF") {
    return value(negative ? -std::numeric_limits<double>::infinity()
                          : std::numeric_limits<double>::infinity());
  }
  if (!had_sign && (s == ".nan" || s == ".NaN" || s == ".NAN")) {
    return value(std::numeric_limits<double>::quiet_NaN());
  }
  if (is_decimal_float(s, had_sign)) {
    std::string digits = strip_underscores(s);
    if (digits == ".") return std::nullopt;
    double d = std::strtod(digits.c_str(), nullptr);
    return value(negative ? -d : d);
  }
  if (is_sexagesimal(s, true)) {
    const double d = static_cast<double>(sexagesimal_value(s));
    return value(negative ? -d : d);
  }
  return std::nullopt;
}

value resolve_plain_scalar(std::string_view t) {
  if (is_null_scalar(t)) return value(nullptr);
  if (auto b = resolve_bool(t)) return *b;
  if (!t.empty()) {
    const char c = t[0];
    if (is_digit(c) || c == '-' || c == '+' || c == '.') {
      if (auto i = resolve_int(t)) return *i;
      if (auto f = resolve_float(t)) return *f;
    }
  }
  return value(std::string(t));
}

}  // namespace rb::rulebook
