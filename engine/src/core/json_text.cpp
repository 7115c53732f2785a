#include "core/json_text.h"

#include <charconv>
#include <cstdint>
#include <cstring>

namespace rb {

namespace {

// Bytes copied as they are: printable ASCII except '"' and '\\'.
constexpr bool plain(unsigned char c) noexcept {
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

// Well-formed UTF-8 per RFC 3629 (no overlongs, no surrogates, at most U+10FFFF): the sequences
// dump() passes through unchanged.
bool valid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    auto cont = [&](std::ptrdiff_t i) { return p + i < end && (p[i] & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF) {
      if (!cont(1)) return false;
      p += 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      if (!cont(1) || !cont(2)) return false;
      if (c == 0xE0 && p[1] < 0xA0) return false;  // overlong
      if (c == 0xED && p[1] > 0x9F) return false;  // surrogate
      p += 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      if (!cont(1) || !cont(2) || !cont(3)) return false;
      if (c == 0xF0 && p[1] < 0x90) return false;  // overlong
      if (c == 0xF4 && p[1] > 0x8F) return false;  // beyond U+10FFFF
      p += 4;
    } else {
      return false;
    }
  }
  return true;
}

void append_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default: {
      static constexpr char hex[] = "0123456789abcdef";
      const char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
      out.append(u, 6);
    }
  }
}

void append_integer(std::string& out, auto n) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

// Length of the prefix of `s` made of plain bytes, eight at a time: a word needs a closer look
// when a byte is below 0x20, a quote, a backslash or not ASCII (the classic has-zero-byte tests;
// a false alarm only sends the word to the exact byte loop).
std::size_t plain_prefix(const char* s, std::size_t n) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  auto has_zero = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t x;
    std::memcpy(&x, s + i, 8);
    const std::uint64_t below_space = (x - ones * 0x20) & ~x & highs;
    if (below_space | has_zero(x ^ (ones * '"')) | has_zero(x ^ (ones * '\\')) | (x & highs)) break;
  }
  while (i < n && plain(static_cast<unsigned char>(s[i]))) ++i;
  return i;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = plain_prefix(s.data(), n);
  // The common case: nothing to escape, one copy.
  if (i == n) {
    const std::size_t at = out.size();
    out.resize(at + n + 2);
    char* d = out.data() + at;
    d[0] = '"';
    std::memcpy(d + 1, s.data(), n);
    d[n + 1] = '"';
    return;
  }
  if (!valid_utf8(s.substr(i))) {
    // Rare: let the library apply its replacement rules.
    out += value(std::string(s)).dump(-1, ' ', false, value::error_handler_t::replace);
    return;
  }
  out.push_back('"');
  std::size_t run = 0;  // start of the pending run of bytes copied as they are
  for (; i < n; ++i) {
    const unsigned char c = p[i];
    if (c >= 0x80 || plain(c)) continue;
    out.append(s.data() + run, i - run);
    append_escape(out, c);
    run = i + 1;
  }
  out.append(s.data() + run, n - run);
  out.push_back('"');
}

void append_json(std::string& out, const value& v) {
  switch (v.type()) {
    case value::value_t::null:
      out += "null";
      return;
    case value::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      return;
    case value::value_t::number_integer:
      append_integer(out, v.get<std::int64_t>());
      return;
    case value::value_t::number_unsigned:
      append_integer(out, v.get<std::uint64_t>());
      return;
    case value::value_t::string:
      append_json_string(out, v.get_ref<const std::string&>());
      return;
    case value::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, member] : v.get_ref<const value::object_t&>()) {
        if (!first) out.push_back(',');
        first = false;
        append_json_string(out, key);
        out.push_back(':');
        append_json(out, member);
      }
      out.push_back('}');
      return;
    }
    case value::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& element : v.get_ref<const value::array_t&>()) {
        if (!first) out.push_back(',');
        first = false;
        append_json(out, element);
      }
      out.push_back(']');
      return;
    }
    default:  // floats (the library's shortest round-trip format), binary, discarded
      out += v.dump(-1, ' ', false, value::error_handler_t::replace);
      return;
  }
}

}  // namespace rb
