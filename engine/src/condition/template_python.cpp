#include "condition/template_python.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace rb::condition::py {
namespace {

const char hex_digits[] = "0123456789abcdef";

void append_hex(std::string& out, std::uint32_t v, int width) {
  for (int shift = (width - 1) * 4; shift >= 0; shift -= 4) out += hex_digits[(v >> shift) & 0xf];
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Python's str.isprintable(), closely enough: control and format characters, separators other
// than the space, surrogates, private use and noncharacters are escaped by repr().
bool printable(std::uint32_t cp) noexcept {
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0xa0) || cp == 0xad) return false;
  if (cp < 0x300) return true;
  if (cp == 0x061c || cp == 0x1680 || cp == 0x180e || cp == 0x3000 || cp == 0xfeff) return false;
  if (cp >= 0x2000 && cp <= 0x200f) return false;
  if (cp >= 0x2028 && cp <= 0x202f) return false;
  if (cp >= 0x205f && cp <= 0x206f) return false;
  if (cp >= 0xd800 && cp <= 0xf8ff) return false;
  if (cp >= 0xfff9 && cp <= 0xfffb) return false;
  if ((cp & 0xfffe) == 0xfffe) return false;
  if (cp >= 0xe0000) return false;
  return true;
}

void append_repr_string(std::string& out, std::string_view s) {
  const bool has_single = s.find('\'') != std::string_view::npos;
  const bool has_double = s.find('"') != std::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  out += quote;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t start = i;
    const std::uint32_t cp = decode_code_point(s, i);
    if (cp == static_cast<unsigned char>(quote) || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp < 0x80 && printable(cp)) {
      out += static_cast<char>(cp);
    } else if (!printable(cp)) {
      if (cp <= 0xff) {
        out += "\\x";
        append_hex(out, cp, 2);
      } else if (cp <= 0xffff) {
        out += "\\u";
        append_hex(out, cp, 4);
      } else {
        out += "\\U";
        append_hex(out, cp, 8);
      }
    } else if (cp == 0xfffd && (i - start) == 1) {
      append_utf8(out, cp);  // an invalid byte shows as the replacement character
    } else {
      out.append(s.substr(start, i - start));
    }
  }
  out += quote;
}

void append_json_string(std::string& out, std::string_view s, bool html_safe) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const std::uint32_t cp = decode_code_point(s, i);
    switch (cp) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      default: break;
    }
    const bool html = html_safe && (cp == '<' || cp == '>' || cp == '&' || cp == '\'');
    if (cp >= 0x20 && cp < 0x7f && !html) {
      out += static_cast<char>(cp);
    } else if (cp < 0x10000) {
      out += "\\u";
      append_hex(out, cp, 4);
    } else {
      const std::uint32_t v = cp - 0x10000;
      out += "\\u";
      append_hex(out, 0xd800 + (v >> 10), 4);
      out += "\\u";
      append_hex(out, 0xdc00 + (v & 0x3ff), 4);
    }
  }
  out += '"';
}

void append_json_at(std::string& out, const value& v, const json_options& o, int level) {
  auto newline = [&](int lvl) {
    out += '\n';
    for (int i = 0; i < lvl; ++i) out += *o.indent;
  };
  switch (v.type()) {
    case value::value_t::null: out += "null"; return;
    case value::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return;
    case value::value_t::number_integer:
      out += std::to_string(v.get<value::number_integer_t>());
      return;
    case value::value_t::number_unsigned:
      out += std::to_string(v.get<value::number_unsigned_t>());
      return;
    case value::value_t::number_float: {
      const double d = v.get<double>();
      if (std::isnan(d))
        out += "NaN";
      else if (std::isinf(d))
        out += d > 0 ? "Infinity" : "-Infinity";
      else
        out += float_repr(d);
      return;
    }
    case value::value_t::string:
      append_json_string(out, v.get_ref<const std::string&>(), o.html_safe);
      return;
    case value::value_t::array: {
      if (v.empty()) {
        out += "[]";
        return;
      }
      out += '[';
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += o.indent ? "," : ", ";
        first = false;
        if (o.indent) newline(level + 1);
        append_json_at(out, e, o, level + 1);
      }
      if (o.indent) newline(level);
      out += ']';
      return;
    }
    case value::value_t::object: {
      if (v.empty()) {
        out += "{}";
        return;
      }
      std::vector<const std::pair<const std::string, value>*> members;
      for (const auto& m : v.get_ref<const value::object_t&>()) members.push_back(&m);
      if (o.sort_keys)
        std::stable_sort(members.begin(), members.end(),
                         [](auto* a, auto* b) { return a->first < b->first; });
      out += '{';
      bool first = true;
      for (const auto* m : members) {
        if (!first) out += o.indent ? "," : ", ";
        first = false;
        if (o.indent) newline(level + 1);
        append_json_string(out, m->first, o.html_safe);
        out += ": ";
        append_json_at(out, m->second, o, level + 1);
      }
      if (o.indent) newline(level);
      out += '}';
      return;
    }
    default: out += "null"; return;
  }
}

// ---- ast.literal_eval ----------------------------------------------------------------------

bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A recursive-descent reader for the subset of Python expressions literal_eval accepts.
class literal_reader {
 public:
  explicit literal_reader(std::string_view s) : s_(s) {}

  std::optional<value> run() {
    if (!skip_leading_lines()) return std::nullopt;
    value v;
    if (!top(v)) return std::nullopt;
    skip_trailing();
    if (pos_ != s_.size() || bad_layout_) return std::nullopt;
    return v;
  }

 private:
  static constexpr int max_depth = 100;

  bool at_end() const { return pos_ >= s_.size(); }
  char cur() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  char at(std::size_t ahead) const { return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0'; }

  // Python's tokenizer: blank lines (spaces, comments) may come first, but the first real line
  // must not be indented (a form feed resets the indentation).
  bool skip_leading_lines() {
    for (;;) {
      bool indented = false;
      while (!at_end() && (cur() == ' ' || cur() == '\t' || cur() == '\f')) {
        indented = cur() == '\f' ? false : true;
        ++pos_;
      }
      if (at_end()) return true;
      if (cur() == '#') {
        while (!at_end() && cur() != '\n' && cur() != '\r') ++pos_;
        if (at_end()) return true;
      }
      if (cur() == '\n' || cur() == '\r') {
        ++pos_;
        continue;
      }
      if (continuation()) {
        if (indented) return false;
        continue;
      }
      return !indented;
    }
  }

  // Spaces and comments; inside brackets also line breaks and continuation backslashes.
  void ws() {
    for (;;) {
      const char c = cur();
      if (c == ' ' || c == '\t' || c == '\f') {
        ++pos_;
      } else if (c == '#') {
        while (!at_end() && cur() != '\n' && cur() != '\r') ++pos_;
      } else if ((c == '\n' || c == '\r') && depth_ > 0) {
        ++pos_;
      } else if (continuation()) {
        // Python rejects a continuation into the end of the text or into an empty line.
        if (depth_ == 0 && (at_end() || cur() == '\n' || cur() == '\r'))
          bad_layout_ = true;
      } else {
        return;
      }
    }
  }

  // A backslash at a line end joins the next line.
  bool continuation() {
    if (cur() != '\\' || (at(1) != '\n' && at(1) != '\r')) return false;
    pos_ += (at(1) == '\r' && at(2) == '\n') ? 3 : 2;
    return true;
  }

  void skip_trailing() {
    for (;;) {
      ws();
      if (cur() != '\n' && cur() != '\r') return;
      ++pos_;
      // A last line of only spaces and tabs, without a newline, is an unexpected indent.
      bool indented = false;
      std::size_t k = pos_;
      for (; k < s_.size() && (s_[k] == ' ' || s_[k] == '\t' || s_[k] == '\f'); ++k)
        indented = s_[k] != '\f';
      if (k == s_.size() && indented) bad_layout_ = true;
    }
  }

  // The top level is a tuple when it has a comma: `1, 2` is (1, 2).
  bool top(value& out) {
    value first;
    if (!item(first)) return false;
    ws();
    if (cur() != ',') {
      out = std::move(first);
      return true;
    }
    out = value::array();
    out.push_back(std::move(first));
    while (cur() == ',') {
      ++pos_;
      ws();
      if (at_end() || cur() == '\n' || cur() == '\r') break;
      value next;
      if (!item(next)) return false;
      out.push_back(std::move(next));
      ws();
    }
    return true;
  }

  bool item(value& out) {
    ws();
    const char c = cur();
    if (c == '+' || c == '-') return signed_number(out);
    if (is_digit(c) || (c == '.' && is_digit(at(1)))) return number(out, false);
    if (c == '[') return list(out);
    if (c == '(') return paren(out);
    if (c == '{') return dict(out);
    if (starts_string()) return strings(out);
    if (is_ident_char(c)) return name(out);
    return false;
  }

  // `-5`, `+ 5`, `-(5)`: one sign before a number (not a bool).
  bool signed_number(value& out) {
    const bool negative = cur() == '-';
    ++pos_;
    ws();
    if (cur() == '(') {
      value inner;
      if (!paren(inner)) return false;
      if (!inner.is_number()) return false;
      out = negative ? negate(inner) : inner;
      return true;
    }
    if (!(is_digit(cur()) || (cur() == '.' && is_digit(at(1))))) return false;
    return number(out, negative);
  }

  static value negate(const value& v) {
    if (v.is_number_float()) return -v.get<double>();
    if (v.is_number_unsigned()) {
      const auto u = v.get<value::number_unsigned_t>();
      if (u <= static_cast<std::uint64_t>(INT64_MAX)) return -static_cast<std::int64_t>(u);
      if (u == static_cast<std::uint64_t>(INT64_MAX) + 1) return INT64_MIN;
      return -static_cast<double>(u);
    }
    const auto i = v.get<value::number_integer_t>();
    if (i == INT64_MIN) return static_cast<std::uint64_t>(INT64_MAX) + 1;
    return -i;
  }

  // digit (_? digit)*, appending the digits (without underscores) to `out`.
  bool digit_part(std::string& out, int base) {
    auto ok = [&](char c) {
      const int v = hex_value(c);
      return v >= 0 && v < base;
    };
    if (!ok(cur())) return false;
    while (ok(cur()) || (cur() == '_' && ok(at(1)))) {
      if (cur() != '_') out += cur();
      ++pos_;
    }
    return true;
  }

  bool number(value& out, bool negative) {
    std::string digits;
    if (cur() == '0' && (at(1) == 'x' || at(1) == 'X' || at(1) == 'o' || at(1) == 'O' ||
                         at(1) == 'b' || at(1) == 'B')) {
      const char k = at(1);
      const int base = (k == 'x' || k == 'X') ? 16 : (k == 'o' || k == 'O') ? 8 : 2;
      pos_ += 2;
      if (cur() == '_') ++pos_;
      if (!digit_part(digits, base)) return false;
      if (is_ident_char(cur())) return false;
      return integer(out, digits, base, negative);
    }
    bool is_float = false;
    std::string text;
    if (is_digit(cur()) && !digit_part(text, 10)) return false;
    const std::string int_part = text;
    if (cur() == '.') {
      is_float = true;
      text += '.';
      ++pos_;
      if (is_digit(cur()) && !digit_part(text, 10)) return false;
      if (int_part.empty() && text.size() == 1) return false;
    }
    if (cur() == 'e' || cur() == 'E') {
      std::string exp = "e";
      ++pos_;
      if (cur() == '+' || cur() == '-') exp += s_[pos_++];
      if (!digit_part(exp, 10)) return false;
      text += exp;
      is_float = true;
    }
    if (cur() == 'j' || cur() == 'J') return false;  // complex: not representable
    if (is_ident_char(cur())) return false;
    if (!is_float) {
      // "007" is a syntax error; "000" is zero.
      if (int_part.size() > 1 && int_part[0] == '0' &&
          int_part.find_first_not_of('0') != std::string::npos)
        return false;
      return integer(out, int_part, 10, negative);
    }
    double d = std::strtod(text.c_str(), nullptr);
    out = negative ? -d : d;
    return true;
  }

  static bool integer(value& out, const std::string& digits, int base, bool negative) {
    unsigned __int128 acc = 0;
    for (char c : digits) {
      acc = acc * static_cast<unsigned>(base) + static_cast<unsigned>(hex_value(c));
      if (acc > static_cast<unsigned __int128>(UINT64_MAX)) return false;  // beyond 64 bits
    }
    const auto u = static_cast<std::uint64_t>(acc);
    if (negative) {
      if (u > static_cast<std::uint64_t>(INT64_MAX) + 1) return false;
      out = u == static_cast<std::uint64_t>(INT64_MAX) + 1 ? INT64_MIN
                                                           : -static_cast<std::int64_t>(u);
    } else if (u <= static_cast<std::uint64_t>(INT64_MAX)) {
      out = static_cast<std::int64_t>(u);
    } else {
      out = u;
    }
    return true;
  }

  bool starts_string() const {
    std::size_t i = 0;
    const char p = at(0);
    if (p == 'u' || p == 'U' || p == 'r' || p == 'R') i = 1;
    return at(i) == '\'' || at(i) == '"';
  }

  // One or more adjacent string literals, concatenated.
  bool strings(value& out) {
    std::string text;
    do {
      if (!one_string(text)) return false;
      ws();
    } while (starts_string());
    out = std::move(text);
    return true;
  }

  bool one_string(std::string& out) {
    bool raw = false;
    if (cur() == 'r' || cur() == 'R') raw = true;
    if (cur() != '\'' && cur() != '"') ++pos_;
    const char q = cur();
    const bool triple = at(1) == q && at(2) == q;
    pos_ += triple ? 3 : 1;
    const std::size_t start = pos_;
    for (;;) {
      if (at_end()) return false;
      const char c = cur();
      if (c == '\\') {
        pos_ += 2;
        continue;
      }
      if (!triple && (c == '\n' || c == '\r')) return false;
      if (c == q && (!triple || (at(1) == q && at(2) == q))) break;
      ++pos_;
    }
    if (pos_ > s_.size()) return false;
    const std::string_view body = s_.substr(start, pos_ - start);
    pos_ += triple ? 3 : 1;
    if (raw) {
      out.append(body);
      return true;
    }
    return decode_escapes(body, out, nullptr);
  }

  bool name(value& out) {
    const std::size_t start = pos_;
    while (is_ident_char(cur())) ++pos_;
    const std::string_view w = s_.substr(start, pos_ - start);
    if (w == "True")
      out = true;
    else if (w == "False")
      out = false;
    else if (w == "None")
      out = nullptr;
    else
      return false;
    return true;
  }

  struct depth_guard {
    int& d;
    explicit depth_guard(int& depth) : d(depth) { ++d; }
    ~depth_guard() { --d; }
  };

  bool list(value& out) {
    depth_guard g(depth_);
    if (depth_ > max_depth) return false;
    ++pos_;
    out = value::array();
    ws();
    while (cur() != ']') {
      value v;
      if (!item(v)) return false;
      out.push_back(std::move(v));
      if (!after_item(']')) return false;
    }
    ++pos_;
    return true;
  }

  // After an item of a list or dict: a comma (then spaces), or the closing bracket, left in place.
  bool after_item(char close) {
    ws();
    if (cur() == ',') {
      ++pos_;
      ws();
      return true;
    }
    return cur() == close;
  }

  // `(x)` is x; `()`, `(x,)` and `(x, y)` are tuples, shown here as lists.
  bool paren(value& out) {
    depth_guard g(depth_);
    if (depth_ > max_depth) return false;
    ++pos_;
    ws();
    if (cur() == ')') {
      ++pos_;
      out = value::array();
      return true;
    }
    value first;
    if (!item(first)) return false;
    ws();
    if (cur() == ')') {
      ++pos_;
      out = std::move(first);
      return true;
    }
    if (cur() != ',') return false;
    out = value::array();
    out.push_back(std::move(first));
    while (cur() == ',') {
      ++pos_;
      ws();
      if (cur() == ')') break;
      value v;
      if (!item(v)) return false;
      out.push_back(std::move(v));
      ws();
    }
    if (cur() != ')') return false;
    ++pos_;
    return true;
  }

  // Python dict keys become JSON keys the way json.dumps writes them.
  static bool key_text(const value& k, std::string& out) {
    switch (k.type()) {
      case value::value_t::string: out = k.get<std::string>(); return true;
      case value::value_t::boolean: out = k.get<bool>() ? "true" : "false"; return true;
      case value::value_t::null: out = "null"; return true;
      case value::value_t::number_integer:
      case value::value_t::number_unsigned:
      case value::value_t::number_float: out = str(k); return true;
      default: return false;  // tuples: not representable
    }
  }

  bool dict(value& out) {
    depth_guard g(depth_);
    if (depth_ > max_depth) return false;
    ++pos_;
    out = value::object();
    ws();
    while (cur() != '}') {
      value k, v;
      if (!item(k)) return false;
      ws();
      if (cur() != ':') return false;  // a set, or a syntax error
      ++pos_;
      if (!item(v)) return false;
      std::string key;
      if (!key_text(k, key)) return false;
      out[key] = std::move(v);
      if (!after_item('}')) return false;
    }
    ++pos_;
    return true;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  bool bad_layout_ = false;
};

// Can `text` begin a Python literal (after optional blank lines)? Rejects most prose at once.
bool may_be_literal(std::string_view text) {
  if (text.empty()) return false;
  static constexpr std::string_view starts = "0123456789.+-'\"([{TFNuUrR\n\r\f \t#\\";
  return starts.find(text[0]) != std::string_view::npos;
}

}  // namespace

std::uint32_t decode_code_point(std::string_view s, std::size_t& i) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  int len = 0;
  std::uint32_t cp = 0;
  if ((b0 & 0xe0) == 0xc0)
    len = 2, cp = b0 & 0x1f;
  else if ((b0 & 0xf0) == 0xe0)
    len = 3, cp = b0 & 0x0f;
  else if ((b0 & 0xf8) == 0xf0)
    len = 4, cp = b0 & 0x07;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xfffd;
  }
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xc0) != 0x80) {
      ++i;
      return 0xfffd;
    }
    cp = (cp << 6) | (b & 0x3f);
  }
  static constexpr std::uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min_for_len[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
    ++i;
    return 0xfffd;
  }
  i += len;
  return cp;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;  // lone surrogates have no UTF-8 form
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

std::size_t code_points(std::string_view s) noexcept {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++n) decode_code_point(s, i);
  return n;
}

bool is_space(std::uint32_t cp) noexcept {
  return cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x1f) || cp == 0x85 ||
         cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

// Case mapping for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic letters (Python maps all
// of Unicode; other scripts are left as they are).
std::uint32_t lower_cp(std::uint32_t cp) noexcept {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;
  if (cp < 0xc0) return cp;
  if (cp <= 0xde && cp != 0xd7) return cp + 32;
  if (cp >= 0x100 && cp <= 0x137 && cp != 0x130 && cp != 0x131) return cp | 1;
  if (cp >= 0x139 && cp <= 0x148) return cp % 2 ? cp + 1 : cp;
  if (cp >= 0x14a && cp <= 0x177) return cp | 1;
  if (cp == 0x178) return 0xff;
  if (cp >= 0x179 && cp <= 0x17e) return cp % 2 ? cp + 1 : cp;
  if (cp == 0x386) return 0x3ac;
  if (cp >= 0x388 && cp <= 0x38a) return cp + 37;
  if (cp == 0x38c) return 0x3cc;
  if (cp == 0x38e || cp == 0x38f) return cp + 63;
  if (cp >= 0x391 && cp <= 0x3a9 && cp != 0x3a2) return cp + 32;
  if (cp >= 0x400 && cp <= 0x40f) return cp + 80;
  if (cp >= 0x410 && cp <= 0x42f) return cp + 32;
  return cp;
}

std::uint32_t upper_cp(std::uint32_t cp) noexcept {
  if (cp >= 'a' && cp <= 'z') return cp - 32;
  if (cp < 0xe0) return cp;
  if (cp <= 0xfe && cp != 0xf7) return cp - 32;
  if (cp == 0xff) return 0x178;
  if (cp >= 0x100 && cp <= 0x137 && cp != 0x130 && cp != 0x131) return cp & ~1u;
  if (cp >= 0x139 && cp <= 0x148) return cp % 2 ? cp : cp - 1;
  if (cp >= 0x14a && cp <= 0x177) return cp & ~1u;
  if (cp >= 0x179 && cp <= 0x17e) return cp % 2 ? cp : cp - 1;
  if (cp == 0x3ac) return 0x386;
  if (cp >= 0x3ad && cp <= 0x3af) return cp - 37;
  if (cp == 0x3cc) return 0x38c;
  if (cp == 0x3cd || cp == 0x3ce) return cp - 63;
  if (cp == 0x3c2) return 0x3a3;
  if (cp >= 0x3b1 && cp <= 0x3c9) return cp - 32;
  if (cp >= 0x430 && cp <= 0x44f) return cp - 32;
  if (cp >= 0x450 && cp <= 0x45f) return cp - 80;
  return cp;
}

std::string float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  // Shortest round-trip digits, then Python's layout: fixed notation for exponents -4..15,
  // scientific (at least two exponent digits) otherwise; a fixed number always has a fraction.
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
  std::string out;
  if (sci[0] == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  const std::size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos))
    if (c != '.') digits += c;
  const int exp = std::atoi(std::string(sci.substr(e_pos + 1)).c_str());
  if (exp >= -4 && exp < 16) {
    if (exp < 0) {
      out += "0.";
      out.append(static_cast<std::size_t>(-exp - 1), '0');
      out += digits;
    } else {
      const auto int_len = static_cast<std::size_t>(exp + 1);
      if (digits.size() <= int_len) {
        out += digits;
        out.append(int_len - digits.size(), '0');
        out += ".0";
      } else {
        out.append(digits, 0, int_len);
        out += '.';
        out.append(digits, int_len, std::string::npos);
      }
    }
    return out;
  }
  out += digits[0];
  if (digits.size() > 1) {
    out += '.';
    out.append(digits, 1, std::string::npos);
  }
  out += 'e';
  out += exp < 0 ? '-' : '+';
  const int a = exp < 0 ? -exp : exp;
  if (a < 10) out += '0';
  out += std::to_string(a);
  return out;
}

void append_str(std::string& out, const value& v) {
  if (v.is_string()) {
    out += v.get_ref<const std::string&>();
    return;
  }
  append_repr(out, v);
}

std::string str(const value& v) {
  std::string out;
  append_str(out, v);
  return out;
}

void append_repr(std::string& out, const value& v) {
  switch (v.type()) {
    case value::value_t::null: out += "None"; return;
    case value::value_t::boolean: out += v.get<bool>() ? "True" : "False"; return;
    case value::value_t::number_integer:
      out += std::to_string(v.get<value::number_integer_t>());
      return;
    case value::value_t::number_unsigned:
      out += std::to_string(v.get<value::number_unsigned_t>());
      return;
    case value::value_t::number_float: out += float_repr(v.get<double>()); return;
    case value::value_t::string: append_repr_string(out, v.get_ref<const std::string&>()); return;
    case value::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += ", ";
        first = false;
        append_repr(out, e);
      }
      out += ']';
      return;
    }
    case value::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, e] : v.get_ref<const value::object_t&>()) {
        if (!first) out += ", ";
        first = false;
        append_repr_string(out, k);
        out += ": ";
        append_repr(out, e);
      }
      out += '}';
      return;
    }
    default: out += "None"; return;
  }
}

const char* type_name(const value& v) noexcept {
  switch (v.type()) {
    case value::value_t::null: return "NoneType";
    case value::value_t::boolean: return "bool";
    case value::value_t::number_integer:
    case value::value_t::number_unsigned: return "int";
    case value::value_t::number_float: return "float";
    case value::value_t::string: return "str";
    case value::value_t::array: return "list";
    case value::value_t::object: return "dict";
    default: return "object";
  }
}

bool equals(const value& a, const value& b) noexcept {
  const bool a_num = a.is_number() || a.is_boolean(), b_num = b.is_number() || b.is_boolean();
  if (a_num || b_num) {
    if (!a_num || !b_num) return false;
    auto as_double = [](const value& v) {
      return v.is_boolean() ? (v.get<bool>() ? 1.0 : 0.0) : v.get<double>();
    };
    if (a.is_number_float() || b.is_number_float()) return as_double(a) == as_double(b);
    auto as_int = [](const value& v) -> std::int64_t {
      return v.is_boolean() ? (v.get<bool>() ? 1 : 0) : v.get<std::int64_t>();
    };
    if (a.is_number_unsigned() || b.is_number_unsigned()) {  // beyond int64: compare exactly
      if ((a.is_number_unsigned() && a.get<std::uint64_t>() > INT64_MAX) ||
          (b.is_number_unsigned() && b.get<std::uint64_t>() > INT64_MAX))
        return a.is_number_unsigned() && b.is_number_unsigned() &&
               a.get<std::uint64_t>() == b.get<std::uint64_t>();
    }
    return as_int(a) == as_int(b);
  }
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!equals(a[i], b[i])) return false;
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (const auto& [k, v] : a.items()) {
      auto it = b.find(k);
      if (it == b.end() || !equals(v, *it)) return false;
    }
    return true;
  }
  return a == b;
}

bool truthy(const value& v) noexcept {
  switch (v.type()) {
    case value::value_t::null: return false;
    case value::value_t::boolean: return v.get<bool>();
    case value::value_t::number_integer: return v.get<value::number_integer_t>() != 0;
    case value::value_t::number_unsigned: return v.get<value::number_unsigned_t>() != 0;
    case value::value_t::number_float: return v.get<double>() != 0.0;
    case value::value_t::string: return !v.get_ref<const std::string&>().empty();
    case value::value_t::array:
    case value::value_t::object: return !v.empty();
    default: return false;
  }
}

void append_json(std::string& out, const value& v, const json_options& options) {
  append_json_at(out, v, options, 0);
}

bool decode_escapes(std::string_view raw, std::string& out, std::string* error) {
  auto fail = [&](std::string message) {
    if (error) *error = std::move(message);
    return false;
  };
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (i + 1 >= raw.size()) return fail("a backslash at the end of the string");
    const char e = raw[++i];
    switch (e) {
      case '\n': continue;  // line continuation
      case '\r':
        if (i + 1 < raw.size() && raw[i + 1] == '\n') ++i;
        continue;
      case '\\': out += '\\'; continue;
      case '\'': out += '\''; continue;
      case '"': out += '"'; continue;
      case 'a': out += '\a'; continue;
      case 'b': out += '\b'; continue;
      case 'f': out += '\f'; continue;
      case 'n': out += '\n'; continue;
      case 'r': out += '\r'; continue;
      case 't': out += '\t'; continue;
      case 'v': out += '\v'; continue;
      case 'x':
      case 'u':
      case 'U': {
        const int width = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        std::uint32_t cp = 0;
        for (int k = 1; k <= width; ++k) {
          const int h = i + k < raw.size() ? hex_value(raw[i + k]) : -1;
          if (h < 0)
            return fail(std::string("truncated \\") + e + " escape (it needs " +
                        std::to_string(width) + " hex digits)");
          cp = cp * 16 + static_cast<std::uint32_t>(h);
        }
        if (cp > 0x10ffff) return fail("\\U escape beyond U+10FFFF");
        i += static_cast<std::size_t>(width);
        append_utf8(out, cp);
        continue;
      }
      case 'N': return fail("\\N{...} escapes are not supported");
      default: break;
    }
    if (e >= '0' && e <= '7') {
      std::uint32_t cp = static_cast<std::uint32_t>(e - '0');
      for (int k = 0; k < 2 && i + 1 < raw.size() && raw[i + 1] >= '0' && raw[i + 1] <= '7'; ++k)
        cp = cp * 8 + static_cast<std::uint32_t>(raw[++i] - '0');
      append_utf8(out, cp);
      continue;
    }
    out += '\\';  // unknown escape: kept as written
    out += e;
  }
  return true;
}

std::optional<value> literal_eval(std::string_view text) {
  if (!may_be_literal(text)) return std::nullopt;
  try {
    return literal_reader(text).run();
  } catch (...) {  // allocation failure: keep the text
    return std::nullopt;
  }
}

}  // namespace rb::condition::py
