#include "sources/builtin/args.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace rb::sources::detail {

namespace {

const value& null_value() {
  static const value v;
  return v;
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view ws = " \t\r\n\f\v";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

// Python allows single underscores between digits in int() and float() ("1_000").
bool strip_underscores(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '_') {
      const bool between_digits = i > 0 && i + 1 < in.size() && std::isdigit(uint8_t(in[i - 1])) &&
                                  std::isdigit(uint8_t(in[i + 1]));
      if (!between_digits) return false;
      continue;
    }
    out.push_back(in[i]);
  }
  return true;
}

// int("42") semantics: optional sign, decimal digits, surrounding whitespace.
bool parse_int(std::string_view text, std::int64_t& out) {
  std::string digits;
  if (!strip_underscores(trim(text), digits) || digits.empty()) return false;
  std::string_view s = digits;
  if (s.front() == '+') s.remove_prefix(1);
  if (s.empty() || s.front() == '+') return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// float("0.5") semantics, finite values only; no hex (strtod would take "0x1p3", Python not).
bool parse_double(std::string_view text, double& out) {
  std::string s;
  if (!strip_underscores(trim(text), s) || s.empty()) return false;
  for (const char c : s)
    if (!(std::isdigit(uint8_t(c)) || c == '.' || c == '+' || c == '-' || c == 'e' || c == 'E'))
      return false;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && std::isfinite(out);
}

}  // namespace

std::string describe(const value& v) {
  std::string s = v.dump(-1, ' ', false, value::error_handler_t::replace);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

arg_reader::arg_reader(std::string_view source, const value& args)
    : source_(source), args_(args.is_null() ? null_value() : args) {
  if (!args_.is_null() && !args_.is_object())
    fail(source_ + ": arguments must be a mapping, got " + describe(args));
}

const value* arg_reader::find(std::string_view key) const {
  if (!args_.is_object()) return nullptr;
  const auto it = args_.find(key);
  if (it == args_.end() || it->is_null()) return nullptr;
  return &*it;
}

void arg_reader::fail(std::string_view key, std::string_view what, const value& got) const {
  fail(source_ + ": argument '" + std::string(key) + "' must be " + std::string(what) + ", got " +
       describe(got));
}

void arg_reader::fail(const std::string& message) const { throw source_error(message); }

std::int64_t arg_reader::integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                                 std::string_view what) const {
  const value* v = find(key);
  if (!v) return fallback;
  std::int64_t n = 0;
  bool ok = false;
  if (v->is_number_integer()) {
    n = v->get<std::int64_t>();
    ok = true;
  } else if (v->is_number_unsigned()) {
    const auto u = v->get<std::uint64_t>();
    ok = u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    n = static_cast<std::int64_t>(u);
  } else if (v->is_number_float()) {
    // int(5.0) is 5; a fraction is almost certainly a mistake, so it is refused.
    const double d = v->get<double>();
    ok = std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.2e18;
    if (ok) n = static_cast<std::int64_t>(d);
  } else if (v->is_string()) {
    ok = parse_int(v->get_ref<const std::string&>(), n);
  }
  if (!ok || n < min) fail(key, what, *v);
  return n;
}

std::chrono::nanoseconds arg_reader::seconds(std::string_view key, double fallback) const {
  const value* v = find(key);
  double d = fallback;
  if (v) {
    bool ok = false;
    if (v->is_number()) {
      d = v->get<double>();
      ok = std::isfinite(d);
    } else if (v->is_string()) {
      ok = parse_double(v->get_ref<const std::string&>(), d);
    }
    if (!ok || d < 0) fail(key, "a non-negative number of seconds", *v);
  }
  // Clamp to ~31 years so that now + delay cannot overflow the steady clock.
  d = std::min(d, 1e9);
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(d));
}

bool arg_reader::boolean(std::string_view key, bool fallback) const {
  const value* v = find(key);
  if (!v) return fallback;
  if (!v->is_boolean()) fail(key, "true or false", *v);
  return v->get<bool>();
}

std::string arg_reader::string(std::string_view key, std::string fallback) const {
  const value* v = find(key);
  if (!v) return fallback;
  if (!v->is_string()) fail(key, "a string", *v);
  return v->get<std::string>();
}

}  // namespace rb::sources::detail
