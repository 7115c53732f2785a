#include "sources/so/event_json.h"

#include <cstdint>
#include <string>

namespace rb::sources::so {

namespace {

constexpr int max_depth = 64;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Recursive descent over the subset described in the header. Every method returns false as soon
// as the text leaves the subset; the caller then throws the partial result away.
class fast_parser {
 public:
  fast_parser(const char* p, const char* end) : p_(p), end_(end) {}

  bool document(value& out) {
    skip_ws();
    if (!parse_value(out, 0)) return false;
    skip_ws();
    return p_ == end_;
  }

 private:
  void skip_ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool parse_value(value& out, int depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        return parse_object(out, depth + 1);
      case '[':
        return parse_array(out, depth + 1);
      case '"': {
        std::string s;
        if (!parse_string(s)) return false;
        out = std::move(s);
        return true;
      }
      case 't':
        if (!literal("true")) return false;
        out = true;
        return true;
      case 'f':
        if (!literal("false")) return false;
        out = false;
        return true;
      case 'n':
        if (!literal("null")) return false;
        out = nullptr;
        return true;
      default:
        return parse_integer(out);
    }
  }

  template <std::size_t N>
  bool literal(const char (&word)[N]) {
    constexpr std::size_t n = N - 1;
    if (static_cast<std::size_t>(end_ - p_) < n) return false;
    for (std::size_t i = 0; i < n; ++i)
      if (p_[i] != word[i]) return false;
    p_ += n;
    return true;
  }

  // Printable ASCII without escapes: the bytes are the string (no decoding, no UTF-8 check).
  bool parse_string(std::string& out) {
    const char* start = ++p_;
    while (p_ < end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out.assign(start, p_);
        ++p_;
        return true;
      }
      if (c < 0x20 || c >= 0x80 || c == '\\') return false;
      ++p_;
    }
    return false;
  }

  // value::parse's integer types: number_unsigned when non-negative, number_integer otherwise.
  // 18 digits always fit both; longer numbers, fractions and exponents go to value::parse.
  bool parse_integer(value& out) {
    const char* q = p_;
    const bool negative = *q == '-';
    if (negative) ++q;
    const char* digits = q;
    if (q == end_ || !is_digit(*q)) return false;
    if (*q == '0') {
      ++q;
    } else {
      while (q < end_ && is_digit(*q)) ++q;
    }
    if (q - digits > 18) return false;
    if (q < end_ && (*q == '.' || *q == 'e' || *q == 'E' || is_digit(*q))) return false;
    std::uint64_t n = 0;
    for (const char* d = digits; d < q; ++d) n = n * 10 + static_cast<std::uint64_t>(*d - '0');
    if (negative) {
      out = -static_cast<std::int64_t>(n);
    } else {
      out = n;
    }
    p_ = q;
    return true;
  }

  bool parse_object(value& out, int depth) {
    if (depth > max_depth) return false;
    ++p_;
    out = value::object();
    skip_ws();
    if (p_ < end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    while (true) {
      if (p_ == end_ || *p_ != '"') return false;
      std::string key;
      if (!parse_string(key)) return false;
      skip_ws();
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      skip_ws();
      // A repeated key keeps its first place and takes the last value, as in value::parse.
      if (!parse_value(out[std::move(key)], depth)) return false;
      skip_ws();
      if (p_ == end_) return false;
      if (*p_ == '}') {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
      skip_ws();
    }
  }

  bool parse_array(value& out, int depth) {
    if (depth > max_depth) return false;
    ++p_;
    out = value::array();
    skip_ws();
    if (p_ < end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    while (true) {
      value item;
      if (!parse_value(item, depth)) return false;
      out.push_back(std::move(item));
      skip_ws();
      if (p_ == end_) return false;
      if (*p_ == ']') {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
      skip_ws();
    }
  }

  const char* p_;
  const char* end_;
};

}  // namespace

std::optional<value> parse_event_fast(const char* text, std::size_t len) {
  if (text == nullptr) return std::nullopt;
  value out;
  if (!fast_parser(text, text + len).document(out)) return std::nullopt;
  return out;
}

value parse_event(const char* text, std::size_t len) {
  if (auto v = parse_event_fast(text, len)) return std::move(*v);
  return value::parse(text, text + len);
}

}  // namespace rb::sources::so
