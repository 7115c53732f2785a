#include "condition/template_filters.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string_view>

#include "condition/regex_cache.h"
#include "condition/template_python.h"

namespace rb::condition {
namespace {

// ---- the table ---------------------------------------------------------------------------------

enum class fid : std::uint8_t {
  default_,
  lower,
  upper,
  capitalize,
  trim,
  int_,
  float_,
  string,
  bool_,
  length,
  join,
  replace,
  regex_replace,
  basename,
  dirname,
  normpath,
  to_json,
  tojson,
  from_json,
  first,
  last,
  list,
  abs,
  round
};

struct param {
  const char* name;
  const char* alias;  // another keyword for the same parameter, or nullptr
  bool required;
};

struct filter_spec {
  const char* name;
  fid id;
  std::vector<param> params;
};

const std::vector<filter_spec>& specs() {
  static const std::vector<filter_spec> table = {
      {"default", fid::default_, {{"default_value", nullptr, false}, {"boolean", nullptr, false}}},
      {"d", fid::default_, {{"default_value", nullptr, false}, {"boolean", nullptr, false}}},
      {"lower", fid::lower, {}},
      {"upper", fid::upper, {}},
      {"capitalize", fid::capitalize, {}},
      {"trim", fid::trim, {{"chars", nullptr, false}}},
      {"int", fid::int_, {{"default", nullptr, false}, {"base", nullptr, false}}},
      {"float", fid::float_, {{"default", nullptr, false}}},
      {"string", fid::string, {}},
      {"bool", fid::bool_, {}},
      {"length", fid::length, {}},
      {"count", fid::length, {}},
      {"join", fid::join, {{"d", nullptr, false}, {"attribute", nullptr, false}}},
      {"replace",
       fid::replace,
       {{"old", nullptr, true}, {"new", nullptr, true}, {"count", nullptr, false}}},
      {"regex_replace",
       fid::regex_replace,
       {{"pattern", nullptr, true},
        {"replacement", nullptr, true},
        {"count", nullptr, false},
        {"ignore_case", "ignorecase", false},
        {"multiline", nullptr, false},
        {"mandatory_count", nullptr, false}}},
      {"basename", fid::basename, {}},
      {"dirname", fid::dirname, {}},
      {"normpath", fid::normpath, {}},
      {"to_json", fid::to_json, {{"indent", nullptr, false}, {"sort_keys", nullptr, false}}},
      {"tojson", fid::tojson, {{"indent", nullptr, false}}},
      {"from_json", fid::from_json, {}},
      {"first", fid::first, {}},
      {"last", fid::last, {}},
      {"list", fid::list, {}},
      {"abs", fid::abs, {}},
      {"round", fid::round, {{"precision", nullptr, false}, {"method", nullptr, false}}},
  };
  return table;
}

// Parameter slots of regex_replace and friends, by position in the table above.
enum : std::size_t {
  rx_pattern,
  rx_replacement,
  rx_count,
  rx_ignore_case,
  rx_multiline,
  rx_mandatory
};

[[noreturn]] void fail_compile(std::string message, std::size_t column) {
  throw error{std::move(message), column};
}

bool is_constant_node(const program_data& d, std::uint32_t n) {
  return n != no_node && d.nodes[n].code == opcode::constant;
}
const value& constant_of(const program_data& d, std::uint32_t n) {
  return d.constants[d.nodes[n].aux];
}

// ---- evaluation helpers ------------------------------------------------------------------------

thread_local template_eval_state state;

// Records an error Jinja would raise; the first one wins.
bool raise(const filter_spec& spec, std::string message) {
  if (!state.hard) {
    state.message = std::string("filter '") + spec.name + "': " + message;
    state.hard = true;
  }
  return false;
}

// Records why a filter gave an undefined value (`[] | first`), which `default` may still replace.
bool soft_undefined(const filter_spec& spec, std::string message) {
  if (!state.hard && state.message.empty())
    state.message = std::string("filter '") + spec.name + "': " + message;
  return false;
}

void forward(operand& in, operand& out) noexcept {
  if (in.ref == &in.own)
    out.set_own(std::move(in.own));
  else
    out.ref = in.ref;
}

// A part of the input (a list element): by pointer unless the input was computed here.
void forward_child(const operand& in, const value& child, operand& out) {
  if (in.ref == &in.own)
    out.set_own(value(child));
  else
    out.ref = &child;
}

// Jinja's soft_str: strings as they are, anything else as Python's str().
std::string_view text_of(const value& v, std::string& scratch) {
  if (v.is_string()) return v.get_ref<const std::string&>();
  scratch = py::str(v);
  return scratch;
}

std::string py_quoted(std::string_view s) {
  std::string out;
  py::append_repr(out, value(std::string(s)));
  return out;
}

// An integer argument (Python accepts bools as ints).
bool int_arg(const value* v, long long fallback, long long& out) {
  if (!v) {
    out = fallback;
    return true;
  }
  if (v->is_boolean()) {
    out = v->get<bool>() ? 1 : 0;
    return true;
  }
  if (v->is_number_integer()) {  // also unsigned
    out = v->is_number_unsigned()
              ? static_cast<long long>(std::min<std::uint64_t>(v->get<std::uint64_t>(), INT64_MAX))
              : v->get<std::int64_t>();
    return true;
  }
  return false;
}

std::string not_int_message(const value& v) {
  return std::string("'") + py::type_name(v) + "' object cannot be interpreted as an integer";
}

// str.strip(): Unicode whitespace at both ends.
std::string_view strip_space(std::string_view s) {
  for (;;) {
    std::size_t i = 0;
    if (s.empty() || !py::is_space(py::decode_code_point(s, i))) break;
    s.remove_prefix(i);
  }
  while (!s.empty()) {
    std::size_t start = s.size() - 1;
    while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xc0) == 0x80) --start;
    std::size_t i = start;
    if (!py::is_space(py::decode_code_point(s, i))) break;
    s.remove_suffix(s.size() - start);
  }
  return s;
}

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

enum class conv { ok, value_error, overflow };

bool to_int_value(unsigned __int128 acc, bool negative, value& out) {
  if (negative) {
    if (acc > static_cast<unsigned __int128>(INT64_MAX) + 1) return false;
    out = acc == static_cast<unsigned __int128>(INT64_MAX) + 1
              ? INT64_MIN
              : -static_cast<std::int64_t>(static_cast<std::uint64_t>(acc));
    return true;
  }
  if (acc > UINT64_MAX) return false;
  const auto u = static_cast<std::uint64_t>(acc);
  if (u <= static_cast<std::uint64_t>(INT64_MAX))
    out = static_cast<std::int64_t>(u);
  else
    out = u;
  return true;
}

// Python's int(text, base).
conv parse_py_int(std::string_view s, long long base, value& out) {
  s = strip_space(s);
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (base != 0 && (base < 2 || base > 36)) return conv::value_error;
  bool prefixed = false;
  if (s.size() >= 2 && s[0] == '0') {
    const char k = static_cast<char>(s[1] | 0x20);
    const int pb = k == 'x' ? 16 : k == 'o' ? 8 : k == 'b' ? 2 : 0;
    if (pb && (base == 0 || base == pb)) {
      base = pb;
      s.remove_prefix(2);
      prefixed = true;
    }
  }
  const bool auto_decimal = base == 0;
  if (auto_decimal) base = 10;
  if (prefixed && !s.empty() && s[0] == '_') s.remove_prefix(1);
  if (s.empty()) return conv::value_error;
  unsigned __int128 acc = 0;
  bool overflow = false, nonzero = false, after_underscore = true;
  for (char c : s) {
    if (c == '_') {
      if (after_underscore) return conv::value_error;
      after_underscore = true;
      continue;
    }
    const int d = digit_value(c);
    if (d >= base) return conv::value_error;
    after_underscore = false;
    nonzero = nonzero || d != 0;
    if (!overflow) {
      acc = acc * static_cast<unsigned>(base) + static_cast<unsigned>(d);
      overflow = acc > static_cast<unsigned __int128>(UINT64_MAX);
    }
  }
  if (after_underscore) return conv::value_error;
  if (auto_decimal && !prefixed && s.size() > 1 && s[0] == '0' && nonzero) return conv::value_error;
  if (overflow || !to_int_value(acc, negative, out)) return conv::overflow;
  return conv::ok;
}

// Python's float(text).
bool parse_py_float(std::string_view s, double& out) {
  s = strip_space(s);
  std::string clean;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    clean += s[0];
    s.remove_prefix(1);
  }
  std::string lower;
  for (char c : s) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  if (lower == "inf" || lower == "infinity" || lower == "nan") {
    clean += lower == "nan" ? "nan" : "inf";
    out = std::strtod(clean.c_str(), nullptr);
    return true;
  }
  std::size_t i = 0;
  auto digits = [&]() {
    const std::size_t start = i;
    bool prev_digit = false;
    while (i < s.size()) {
      if (s[i] >= '0' && s[i] <= '9') {
        clean += s[i++];
        prev_digit = true;
      } else if (s[i] == '_' && prev_digit && i + 1 < s.size() && s[i + 1] >= '0' &&
                 s[i + 1] <= '9') {
        ++i;
        prev_digit = false;
      } else {
        break;
      }
    }
    return i > start;
  };
  bool mantissa = digits();
  if (i < s.size() && s[i] == '.') {
    clean += '.';
    ++i;
    mantissa = digits() || mantissa;
  }
  if (!mantissa) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    clean += 'e';
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) clean += s[i++];
    if (!digits()) return false;
  }
  if (i != s.size()) return false;
  out = std::strtod(clean.c_str(), nullptr);
  return true;
}

// int(some float): truncation; infinity raises, NaN is a ValueError (so `default`).
conv float_to_int(double d, value& out) {
  if (std::isnan(d)) return conv::value_error;
  if (std::isinf(d)) return conv::overflow;
  const double t = std::trunc(d);
  if (t >= -9223372036854775808.0 && t < 9223372036854775808.0) {
    out = static_cast<std::int64_t>(t);
    return conv::ok;
  }
  if (t >= 0 && t < 18446744073709551616.0) {
    out = static_cast<std::uint64_t>(t);
    return conv::ok;
  }
  return conv::overflow;
}

// Items of an iterable as Python sees them: list elements, the characters of a string, the keys
// of a dict. False when the value is not iterable.
bool iterate(const value& v, std::vector<value>& scratch, std::vector<const value*>& items) {
  if (v.is_array()) {
    for (const auto& e : v) items.push_back(&e);
    return true;
  }
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    for (std::size_t i = 0; i < s.size();) {
      const std::size_t start = i;
      py::decode_code_point(s, i);
      scratch.emplace_back(s.substr(start, i - start));
    }
  } else if (v.is_object()) {
    for (const auto& [k, e] : v.get_ref<const value::object_t&>()) scratch.emplace_back(k);
  } else {
    return false;
  }
  for (const auto& e : scratch) items.push_back(&e);
  return true;
}

std::string not_iterable(const value& v) {
  return std::string("'") + py::type_name(v) + "' object is not iterable";
}

// ---- posixpath ---------------------------------------------------------------------------------

std::string path_basename(std::string_view p) {
  const std::size_t i = p.rfind('/');
  return std::string(i == std::string_view::npos ? p : p.substr(i + 1));
}

std::string path_dirname(std::string_view p) {
  const std::size_t i = p.rfind('/');
  if (i == std::string_view::npos) return "";
  std::string_view head = p.substr(0, i + 1);
  if (head.find_first_not_of('/') != std::string_view::npos)
    while (!head.empty() && head.back() == '/') head.remove_suffix(1);
  return std::string(head);
}

std::string path_normpath(std::string_view p) {
  if (p.empty()) return ".";
  std::size_t initial = p[0] == '/' ? 1 : 0;
  if (initial && p.substr(0, 2) == "//" && p.substr(0, 3) != "///") initial = 2;
  std::vector<std::string_view> comps;
  std::size_t start = 0;
  while (start <= p.size()) {
    std::size_t slash = p.find('/', start);
    if (slash == std::string_view::npos) slash = p.size();
    const std::string_view comp = p.substr(start, slash - start);
    start = slash + 1;
    if (comp.empty() || comp == ".") continue;
    if (comp != ".." || (!initial && comps.empty()) || (!comps.empty() && comps.back() == ".."))
      comps.push_back(comp);
    else if (!comps.empty())
      comps.pop_back();
  }
  std::string out(initial, '/');
  for (std::size_t i = 0; i < comps.size(); ++i) {
    if (i) out += '/';
    out.append(comps[i]);
  }
  return out.empty() ? "." : out;
}

// ---- regex_replace -----------------------------------------------------------------------------

struct repl_piece {
  std::string text;
  int group = -1;  // >= 0: insert this group instead
};

// Python's re replacement template: \1, \g<1>, \g<name>, \n and friends; an unknown escape of an
// ASCII letter is an error, other unknown escapes stay as written.
bool parse_replacement(std::string_view r, const RE2& re, std::vector<repl_piece>& out,
                       std::string& err) {
  const int groups = re.NumberOfCapturingGroups();
  auto text = [&]() -> std::string& {
    if (out.empty() || out.back().group >= 0) out.push_back({});
    return out.back().text;
  };
  auto group = [&](long index, std::string_view spelled) {
    if (index > groups) {
      err = "invalid group reference " + std::string(spelled);
      return false;
    }
    out.push_back({{}, static_cast<int>(index)});
    return true;
  };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  auto is_octal = [](char c) { return c >= '0' && c <= '7'; };
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (r[i] != '\\') {
      text() += r[i];
      continue;
    }
    if (i + 1 >= r.size()) {
      err = "bad escape (end of pattern)";
      return false;
    }
    const char c = r[++i];
    if (c == 'g') {
      if (i + 1 >= r.size() || r[i + 1] != '<') {
        err = "missing < after \\g";
        return false;
      }
      const std::size_t close = r.find('>', i + 2);
      if (close == std::string_view::npos) {
        err = "missing >, unterminated name";
        return false;
      }
      const std::string name(r.substr(i + 2, close - i - 2));
      i = close;
      if (name.empty()) {
        err = "missing group name";
        return false;
      }
      if (std::all_of(name.begin(), name.end(), is_digit)) {
        if (name.size() > 9) {
          err = "invalid group reference " + name;
          return false;
        }
        if (!group(std::stol(name), name)) return false;
        continue;
      }
      const auto& named = re.NamedCapturingGroups();
      const auto it = named.find(name);
      if (it == named.end()) {
        err = "unknown group name '" + name + "'";
        return false;
      }
      out.push_back({{}, it->second});
      continue;
    }
    if (c == '0') {
      int v = 0;
      for (int k = 0; k < 2 && i + 1 < r.size() && is_octal(r[i + 1]); ++k)
        v = v * 8 + (r[++i] - '0');
      py::append_utf8(text(), static_cast<std::uint32_t>(v & 0xff));
      continue;
    }
    if (is_digit(c)) {
      if (i + 1 < r.size() && is_digit(r[i + 1])) {
        const char c2 = r[i + 1];
        if (is_octal(c) && is_octal(c2) && i + 2 < r.size() && is_octal(r[i + 2])) {
          const int v = (c - '0') * 64 + (c2 - '0') * 8 + (r[i + 2] - '0');
          if (v > 0377) {
            err = "octal escape value outside of range 0-0o377";
            return false;
          }
          py::append_utf8(text(), static_cast<std::uint32_t>(v));
          i += 2;
          continue;
        }
        ++i;
        if (!group((c - '0') * 10 + (c2 - '0'), std::string{c, c2})) return false;
        continue;
      }
      if (!group(c - '0', std::string(1, c))) return false;
      continue;
    }
    const char* esc = nullptr;
    switch (c) {
      case 'a': esc = "\a"; break;
      case 'b': esc = "\b"; break;
      case 'f': esc = "\f"; break;
      case 'n': esc = "\n"; break;
      case 'r': esc = "\r"; break;
      case 't': esc = "\t"; break;
      case 'v': esc = "\v"; break;
      case '\\': esc = "\\"; break;
      default: break;
    }
    if (esc) {
      text() += esc;
      continue;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      err = std::string("bad escape \\") + c;
      return false;
    }
    text() += '\\';
    text() += c;
  }
  return true;
}

// re.subn: replaces up to `count` matches (0: all). An empty match right after the previous
// match is allowed when that match was not empty, as Python 3.7+ does.
std::size_t substitute(const RE2& re, const std::string& s, const std::vector<repl_piece>& repl,
                       long long count, std::string& out) {
  const int groups = re.NumberOfCapturingGroups();
  std::vector<re2::StringPiece> m(static_cast<std::size_t>(groups) + 1);
  const re2::StringPiece text(s.data(), s.size());
  std::size_t pos = 0, copied = 0, n = 0;
  bool must_advance = false;
  while (pos <= s.size() && (count <= 0 || n < static_cast<std::size_t>(count))) {
    if (!re.Match(text, pos, s.size(), RE2::UNANCHORED, m.data(), groups + 1)) break;
    std::size_t b = static_cast<std::size_t>(m[0].data() - s.data());
    std::size_t e = b + m[0].size();
    if (must_advance && b == pos && e == pos) {
      if (pos >= s.size()) break;
      std::size_t next = pos;
      py::decode_code_point(s, next);
      if (!re.Match(text, next, s.size(), RE2::UNANCHORED, m.data(), groups + 1)) break;
      b = static_cast<std::size_t>(m[0].data() - s.data());
      e = b + m[0].size();
    }
    out.append(s, copied, b - copied);
    for (const auto& piece : repl) {
      if (piece.group < 0)
        out += piece.text;
      else if (m[static_cast<std::size_t>(piece.group)].data())
        out.append(m[static_cast<std::size_t>(piece.group)].data(),
                   m[static_cast<std::size_t>(piece.group)].size());
    }
    copied = e;
    ++n;
    must_advance = b == e;
    pos = e;
  }
  out.append(s, copied, std::string::npos);
  return n;
}

// ---- rounding ----------------------------------------------------------------------------------

// Python's round(x, ndigits) for a float: the exact binary value rounded to decimal digits, ties
// to even (glibc's printf rounds exactly, as Python's dtoa does).
double round_float(double x, long long ndigits) {
  if (!std::isfinite(x) || x == 0) return x;
  if (ndigits > 330) return x;
  std::vector<char> buf(static_cast<std::size_t>(std::max(ndigits, 0LL)) + 400);
  if (ndigits >= 0) {
    std::snprintf(buf.data(), buf.size(), "%.*f", static_cast<int>(ndigits), x);
    return std::strtod(buf.data(), nullptr);
  }
  // Significant digits to keep: those above 10^-ndigits.
  std::snprintf(buf.data(), buf.size(), "%.17e", x);
  const long long e10 = std::atoll(std::strchr(buf.data(), 'e') + 1);
  const long long keep = e10 + 1 + ndigits;
  if (keep >= 1) {
    std::snprintf(buf.data(), buf.size(), "%.*e", static_cast<int>(keep - 1), x);
    return std::strtod(buf.data(), nullptr);
  }
  const double unit = std::pow(10.0, static_cast<double>(-ndigits));
  // |x| < unit: 0, or one unit when more than half of it (a tie goes to the even 0).
  if (keep == 0 && std::fabs(x) > unit / 2) return std::copysign(unit, x);
  return std::copysign(0.0, x);
}

// round(int, ndigits) with ndigits < 0: ties to even, exactly.
value round_int(const value& v, long long ndigits) {
  if (ndigits >= 0) return v.is_boolean() ? value(v.get<bool>() ? 1 : 0) : v;
  if (ndigits < -19) return 0;
  __int128 x = v.is_number_unsigned() ? static_cast<__int128>(v.get<std::uint64_t>())
                                      : static_cast<__int128>(v.get<std::int64_t>());
  __int128 p = 1;
  for (long long k = 0; k < -ndigits; ++k) p *= 10;
  __int128 q = x / p, rem = x % p;
  if (rem < 0) {
    rem += p;
    --q;
  }
  if (rem * 2 > p || (rem * 2 == p && (q % 2 != 0))) ++q;
  const __int128 r = q * p;
  if (r >= INT64_MIN && r <= INT64_MAX) return static_cast<std::int64_t>(r);
  if (r > 0 && r <= static_cast<__int128>(UINT64_MAX)) return static_cast<std::uint64_t>(r);
  return static_cast<double>(r);
}

// ---- the filters -------------------------------------------------------------------------------

struct call {
  const filter_spec& spec;
  operand& in;
  const value* const* args;  // one per parameter; nullptr: not given
  operand* arg_operands;     // the same, as evaluated
  operand& out;

  const value& v() const { return *in.ref; }
  const value* arg(std::size_t i) const { return args[i]; }
  bool fail(std::string message) const { return raise(spec, std::move(message)); }
  void set(value x) const { out.set_own(std::move(x)); }
  void set_to_arg(std::size_t i) const { forward(arg_operands[i], out); }
};

bool f_case(const call& c, fid id) {
  std::string scratch;
  const std::string_view s = text_of(c.v(), scratch);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t start = i;
    const std::uint32_t cp = py::decode_code_point(s, i);
    const bool upper = id == fid::upper || (id == fid::capitalize && start == 0);
    if (cp < 0x80) {
      out += static_cast<char>(upper ? py::upper_cp(cp) : py::lower_cp(cp));
    } else if (upper && cp == 0xdf) {
      out += id == fid::upper ? "SS" : "Ss";  // German sharp s
    } else {
      const std::uint32_t mapped = upper ? py::upper_cp(cp) : py::lower_cp(cp);
      if (mapped == cp)
        out.append(s.substr(start, i - start));
      else
        py::append_utf8(out, mapped);
    }
  }
  c.set(std::move(out));
  return true;
}

bool f_trim(const call& c) {
  std::string scratch;
  const std::string_view s = text_of(c.v(), scratch);
  const value* chars = c.arg(0);
  if (chars && !chars->is_null() && !chars->is_string())
    return c.fail(std::string("strip arg must be None or str, not ") + py::type_name(*chars));
  std::vector<std::uint32_t> set;
  if (chars && chars->is_string()) {
    const auto& cs = chars->get_ref<const std::string&>();
    for (std::size_t i = 0; i < cs.size();) set.push_back(py::decode_code_point(cs, i));
  }
  auto strip = [&](std::uint32_t cp) {
    return chars && chars->is_string() ? std::find(set.begin(), set.end(), cp) != set.end()
                                       : py::is_space(cp);
  };
  std::size_t begin = 0, end = 0;
  bool seen = false;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t start = i;
    const std::uint32_t cp = py::decode_code_point(s, i);
    if (strip(cp)) continue;
    if (!seen) begin = start, seen = true;
    end = i;
  }
  c.set(seen ? std::string(s.substr(begin, end - begin)) : std::string());
  return true;
}

bool f_int(const call& c) {
  const value& v = c.v();
  long long base = 10;
  if (c.arg(1) && !int_arg(c.arg(1), 10, base)) base = -1;  // not an int: a ValueError below
  value r;
  conv st = conv::value_error;
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    st = parse_py_int(s, base, r);
    if (st == conv::overflow)  // Python has big integers; we have 64 bits
      return c.fail("cannot convert " + py_quoted(s) + " to a 64-bit integer");
    if (st == conv::value_error) {  // Jinja's fallback: int(float(value)), so "3.7" is 3
      double d;
      if (parse_py_float(s, d)) st = float_to_int(d, r);
      if (st == conv::overflow) st = conv::value_error;  // "inf": Jinja gives the default
    }
  } else if (v.is_boolean()) {
    r = v.get<bool>() ? 1 : 0;
    st = conv::ok;
  } else if (v.is_number_integer()) {
    forward(c.in, c.out);
    return true;
  } else if (v.is_number_float()) {
    st = float_to_int(v.get<double>(), r);
    if (st == conv::overflow) return c.fail("cannot convert " + py::str(v) + " to an integer");
  }
  if (st == conv::ok) {
    c.set(std::move(r));
  } else if (c.arg(0)) {
    c.set_to_arg(0);
  } else {
    c.set(0);
  }
  return true;
}

bool f_float(const call& c) {
  const value& v = c.v();
  double d = 0;
  bool ok = true;
  if (v.is_string())
    ok = parse_py_float(v.get_ref<const std::string&>(), d);
  else if (v.is_boolean())
    d = v.get<bool>() ? 1.0 : 0.0;
  else if (v.is_number())
    d = v.get<double>();
  else
    ok = false;
  if (ok)
    c.set(d);
  else if (c.arg(0))
    c.set_to_arg(0);
  else
    c.set(0.0);
  return true;
}

bool f_string(const call& c) {
  if (c.v().is_string()) {
    forward(c.in, c.out);
    return true;
  }
  c.set(py::str(c.v()));
  return true;
}

// ansible-rulebook's bool filter.
bool f_bool(const call& c) {
  const value& v = c.v();
  if (!v.is_string()) {
    c.set(py::truthy(v));
    return true;
  }
  std::string s(strip_space(v.get_ref<const std::string&>()));
  for (auto& ch : s)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
  for (const char* t : {"true", "yes", "1", "on", "t", "y"})
    if (s == t) {
      c.set(true);
      return true;
    }
  for (const char* f : {"false", "no", "0", "off", "f", "n", ""})
    if (s == f) {
      c.set(false);
      return true;
    }
  return c.fail("cannot convert " + py_quoted(v.get_ref<const std::string&>()) +
                " to a boolean (expected true/false, yes/no, 1/0, on/off, t/f, y/n)");
}

bool f_length(const call& c) {
  const value& v = c.v();
  if (v.is_string())
    c.set(py::code_points(v.get_ref<const std::string&>()));
  else if (v.is_array() || v.is_object())
    c.set(v.size());
  else
    return c.fail(std::string("object of type '") + py::type_name(v) + "' has no len()");
  return true;
}

// One item's `attribute` (dotted; numeric parts index lists), as Jinja's make_attrgetter.
// One step of Jinja's getitem: a dict key, or an index into a list or a string (a character,
// built in `holder`).
const value* item_step(const value* cur, const std::string& key, bool is_index, std::size_t index,
                       value& holder) {
  if (cur->is_object() && !is_index) {
    auto it = cur->find(key);
    return it == cur->end() ? nullptr : &*it;
  }
  if (cur->is_object()) {  // a numeric part names a key too
    auto it = cur->find(key);
    return it == cur->end() ? nullptr : &*it;
  }
  if (!is_index) return nullptr;
  if (cur->is_array()) return index < cur->size() ? &(*cur)[index] : nullptr;
  if (cur->is_string()) {
    const std::string text = cur->get<std::string>();
    std::size_t i = 0;
    for (std::size_t k = 0; k < index && i < text.size(); ++k) py::decode_code_point(text, i);
    if (i >= text.size()) return nullptr;
    const std::size_t start = i;
    py::decode_code_point(text, i);
    holder = text.substr(start, i - start);
    return &holder;
  }
  return nullptr;
}

// An item's `attribute` as Jinja's make_attrgetter reads it: dotted, numeric parts index.
const value* attribute_of(const value& item, const value& attribute, value& holder) {
  if (attribute.is_number_integer()) {
    const auto i = attribute.get<std::int64_t>();
    if (i < 0) return nullptr;
    return item_step(&item, std::to_string(i), true, static_cast<std::size_t>(i), holder);
  }
  std::string scratch;
  const std::string_view path = text_of(attribute, scratch);
  const value* cur = &item;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = path.find('.', start);
    const std::string part(path.substr(start, dot == std::string_view::npos ? dot : dot - start));
    const bool numeric =
        !part.empty() && part.size() < 18 &&
        std::all_of(part.begin(), part.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    value next_holder;
    const value* next = item_step(cur, part, numeric, numeric ? std::stoull(part) : 0, next_holder);
    if (!next) return nullptr;
    if (next == &next_holder) {
      holder = std::move(next_holder);
      next = &holder;
    }
    cur = next;
    if (dot == std::string_view::npos) return cur;
    start = dot + 1;
  }
}

bool f_join(const call& c) {
  std::vector<value> scratch_items;
  std::vector<const value*> items;
  if (!iterate(c.v(), scratch_items, items)) return c.fail(not_iterable(c.v()));
  std::string sep_scratch;
  const std::string_view sep = c.arg(0) ? text_of(*c.arg(0), sep_scratch) : std::string_view();
  const value* attribute = c.arg(1) && !c.arg(1)->is_null() ? c.arg(1) : nullptr;
  std::string out;
  bool first = true;
  value holder;
  for (const value* item : items) {
    if (!first) out.append(sep);
    first = false;
    if (attribute) {
      const value* a = attribute_of(*item, *attribute, holder);
      if (!a) return c.fail("an item has no attribute " + py::str(*attribute));
      item = a;
    }
    py::append_str(out, *item);
  }
  c.set(std::move(out));
  return true;
}

bool f_replace(const call& c) {
  std::string s1, s2, s3;
  const std::string_view s = text_of(c.v(), s1);
  const std::string_view old = text_of(*c.arg(0), s2);
  const std::string_view repl = text_of(*c.arg(1), s3);
  long long count = -1;
  if (c.arg(2) && !c.arg(2)->is_null() && !int_arg(c.arg(2), -1, count))
    return c.fail(not_int_message(*c.arg(2)));
  std::string out;
  long long done = 0;
  if (old.empty()) {  // Python inserts `new` around every character
    for (std::size_t i = 0; i <= s.size();) {
      if (count < 0 || done < count) {
        out.append(repl);
        ++done;
      }
      if (i == s.size()) break;
      const std::size_t start = i;
      py::decode_code_point(s, i);
      out.append(s.substr(start, i - start));
    }
    c.set(std::move(out));
    return true;
  }
  std::size_t pos = 0;
  while (count < 0 || done < count) {
    const std::size_t hit = s.find(old, pos);
    if (hit == std::string_view::npos) break;
    out.append(s.substr(pos, hit - pos));
    out.append(repl);
    pos = hit + old.size();
    ++done;
  }
  out.append(s.substr(pos));
  c.set(std::move(out));
  return true;
}

bool f_regex_replace(const call& c, const filter_call& f) {
  const value& v = c.v();
  if (v.is_null()) {
    c.set(std::string());
    return true;
  }
  const value& pattern = *c.arg(rx_pattern);
  const value& replacement = *c.arg(rx_replacement);
  if (!pattern.is_string())
    return c.fail("the pattern must be a string, not " + std::string(py::type_name(pattern)));
  if (!replacement.is_string())
    return c.fail("the replacement must be a string, not " +
                  std::string(py::type_name(replacement)));
  long long count = 0, mandatory = 0;
  if (!int_arg(c.arg(rx_count), 0, count)) return c.fail(not_int_message(*c.arg(rx_count)));
  if (!int_arg(c.arg(rx_mandatory), 0, mandatory))
    return c.fail(not_int_message(*c.arg(rx_mandatory)));
  const RE2* re = f.regex.get();
  if (!re) {
    regex_flags flags;
    flags.ignorecase = c.arg(rx_ignore_case) && py::truthy(*c.arg(rx_ignore_case));
    flags.multiline = c.arg(rx_multiline) && py::truthy(*c.arg(rx_multiline));
    const auto& text = pattern.get_ref<const std::string&>();
    re = cached_regex(text, flags);
    if (!re) {
      std::string err = "does not compile";
      compile_regex(text, flags, &err);
      return c.fail("invalid regular expression " + py_quoted(text) + ": " + err);
    }
  }
  std::vector<repl_piece> pieces;
  std::string err;
  if (!parse_replacement(replacement.get_ref<const std::string&>(), *re, pieces, err))
    return c.fail("invalid replacement " + py_quoted(replacement.get_ref<const std::string&>()) +
                  ": " + err);
  std::string scratch;
  const std::string s(text_of(v, scratch));
  std::string out;
  const std::size_t n = substitute(*re, s, pieces, count, out);
  if (mandatory > 0 && static_cast<long long>(n) < mandatory)
    return c.fail("expected at least " + std::to_string(mandatory) + " replacements, but only " +
                  "found " + std::to_string(n));
  c.set(std::move(out));
  return true;
}

bool f_path(const call& c, fid id) {
  const value& v = c.v();
  if (v.is_null()) {
    c.set(std::string());
    return true;
  }
  if (!v.is_string()) return c.fail(std::string("expected a string path, not ") + py::type_name(v));
  const auto& s = v.get_ref<const std::string&>();
  c.set(id == fid::basename  ? path_basename(s)
        : id == fid::dirname ? path_dirname(s)
                             : path_normpath(s));
  return true;
}

bool f_to_json(const call& c, bool jinja) {
  py::json_options o;
  o.sort_keys = jinja || (c.arg(1) && py::truthy(*c.arg(1)));
  o.html_safe = jinja;
  if (const value* indent = c.arg(0); indent && !indent->is_null()) {
    long long n = 0;
    if (indent->is_string()) {
      o.indent = indent->get<std::string>();
    } else if (int_arg(indent, 0, n)) {
      o.indent = std::string(static_cast<std::size_t>(std::clamp(n, 0LL, 64LL)), ' ');
    } else {
      return c.fail(std::string("indent must be an integer or a string, not ") +
                    py::type_name(*indent));
    }
  }
  std::string out;
  py::append_json(out, c.v(), o);
  c.set(std::move(out));
  return true;
}

bool f_from_json(const call& c) {
  const value& v = c.v();
  if (!v.is_string())
    return c.fail(std::string("the JSON object must be str, not ") + py::type_name(v));
  const auto& s = v.get_ref<const std::string&>();
  value parsed;
  try {
    parsed = value::parse(s);
  } catch (const value::parse_error& e) {
    std::string why = e.what();
    if (auto p = why.find("syntax error"); p != std::string::npos) why = why.substr(p);
    return c.fail("cannot parse " + py_quoted(s.size() > 60 ? s.substr(0, 60) + "..." : s) +
                  " as JSON: " + why);
  }
  c.set(std::move(parsed));
  return true;
}

bool f_first_last(const call& c, bool first) {
  const value& v = c.v();
  if (v.is_array()) {
    if (v.empty()) return soft_undefined(c.spec, "the list is empty");
    forward_child(c.in, first ? v.front() : v.back(), c.out);
    return true;
  }
  if (v.is_object()) {
    if (v.empty()) return soft_undefined(c.spec, "the mapping is empty");
    const auto& m = v.get_ref<const value::object_t&>();
    c.set(first ? m.front().first : m.back().first);
    return true;
  }
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty()) return soft_undefined(c.spec, "the string is empty");
    if (first) {
      std::size_t i = 0;
      py::decode_code_point(s, i);
      c.set(s.substr(0, i));
    } else {
      std::size_t start = s.size() - 1;
      while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xc0) == 0x80) --start;
      c.set(s.substr(start));
    }
    return true;
  }
  return c.fail(not_iterable(v));
}

bool f_list(const call& c) {
  if (c.v().is_array()) {
    forward(c.in, c.out);
    return true;
  }
  std::vector<value> scratch;
  std::vector<const value*> items;
  if (!iterate(c.v(), scratch, items)) return c.fail(not_iterable(c.v()));
  c.set(value(std::move(scratch)));
  return true;
}

bool f_abs(const call& c) {
  const value& v = c.v();
  if (v.is_boolean())
    c.set(v.get<bool>() ? 1 : 0);
  else if (v.is_number_unsigned())
    forward(c.in, c.out);
  else if (v.is_number_integer()) {
    const auto i = v.get<std::int64_t>();
    if (i == INT64_MIN)
      c.set(static_cast<std::uint64_t>(INT64_MAX) + 1);
    else
      c.set(i < 0 ? -i : i);
  } else if (v.is_number_float()) {
    c.set(std::fabs(v.get<double>()));
  } else {
    return c.fail(std::string("bad operand type for abs(): '") + py::type_name(v) + "'");
  }
  return true;
}

bool f_round(const call& c) {
  const value& v = c.v();
  if (!v.is_number() && !v.is_boolean())
    return c.fail(std::string("type ") + py::type_name(v) + " doesn't define __round__ method");
  long long precision = 0;
  if (!int_arg(c.arg(0), 0, precision)) return c.fail(not_int_message(*c.arg(0)));
  std::string method = "common";
  if (c.arg(1)) {
    if (!c.arg(1)->is_string()) return c.fail("method must be common, ceil or floor");
    method = c.arg(1)->get<std::string>();
  }
  if (method != "common" && method != "ceil" && method != "floor")
    return c.fail("method must be common, ceil or floor");
  const bool is_int = !v.is_number_float();
  if (method == "common") {
    if (is_int)
      c.set(round_int(v, precision));
    else
      c.set(round_float(v.get<double>(), precision));
    return true;
  }
  const double x = v.is_boolean() ? (v.get<bool>() ? 1.0 : 0.0) : v.get<double>();
  const double m = std::pow(10.0, static_cast<double>(precision));
  const double scaled = method == "ceil" ? std::ceil(x * m) : std::floor(x * m);
  c.set(scaled / m);
  return true;
}

// `default(value='', boolean=false)`: Jinja replaces an undefined value, and with boolean=true
// also a false one. Undefined here means what Jinja's StrictUndefined lets through: a missing
// last step of a path (`event.x`, not `event.x.y` when `x` is missing) or an undefined value a
// filter returned; an error inside the input (a missing `event.x` in `event.x.y`, 1 + "a") is
// still an error.
bool catchable_undefined(const program_data& p, std::uint32_t n, const scope& s);

void eval_default(const program_data& p, const node& nd, const filter_call& f, const scope& s,
                  operand& out) {
  operand in;
  eval_value(p, nd.a, s, in);
  if (in.defined()) {
    bool use_default = false;
    if (f.args[1] != no_node) {
      operand boolean;
      eval_value(p, f.args[1], s, boolean);
      if (!boolean.defined()) return;
      use_default = py::truthy(*boolean.ref) && !py::truthy(*in.ref);
    }
    if (!use_default) {
      forward(in, out);
      return;
    }
  } else {
    if (state.hard || !catchable_undefined(p, nd.a, s)) return;
    state.message.clear();
  }
  if (f.args[0] == no_node) {
    out.set_own(std::string());
    return;
  }
  operand fallback;
  eval_value(p, f.args[0], s, fallback);
  if (fallback.defined())
    forward(fallback, out);
  else
    catchable_undefined(p, f.args[0], s);  // records an error unless it is a plain undefined
}

std::string undefined_path_message(const path_ref& ref, const scope& s) {
  const field_path& steps = ref.steps;
  const value* cur = s.vars;
  if (!cur || !cur->is_object() || steps.empty() || cur->find(steps[0].key) == cur->end())
    return "undefined name '" + (steps.empty() ? std::string("?") : steps[0].key) + "'";
  for (std::size_t i = 1; i <= steps.size(); ++i) {
    const field_path prefix(steps.begin(), steps.begin() + static_cast<std::ptrdiff_t>(i));
    if (!resolve(*s.vars, prefix)) return "'" + to_string(prefix) + "' is undefined";
  }
  return "";
}

bool catchable_undefined(const program_data& p, std::uint32_t n, const scope& s) {
  const node& nd = p.nodes[n];
  if (nd.code == opcode::var_path) {
    const field_path& steps = p.paths[nd.aux].steps;
    if (steps.size() <= 1 || !s.vars) return true;
    const field_path parent(steps.begin(), steps.end() - 1);
    if (resolve(*s.vars, parent)) return true;
    state.message = undefined_path_message(p.paths[nd.aux], s);
    state.hard = true;
    return false;
  }
  if (nd.code == opcode::filter) return true;  // an undefined value a filter gave (`[] | first`)
  if (nd.code == opcode::subscript) {           // `(x).key`: fine when only the key is missing
    operand inner;
    eval_value(p, nd.a, s, inner);
    if (inner.defined()) return true;
  }
  if (!state.hard) {
    std::string why = find_undefined_path(p, n, s);
    state.message = why.empty() ? "the input of 'default' has no value" : why;
    state.hard = true;
  }
  return false;
}

void eval_filter_impl(const program_data& p, const node& nd, const scope& s, operand& out) {
  const filter_call& f = p.filters[nd.aux];
  const filter_spec& spec = specs()[f.id];
  if (spec.id == fid::default_) return eval_default(p, nd, f, s, out);
  operand in;
  eval_value(p, nd.a, s, in);
  if (!in.defined()) return;
  operand args[8];
  const value* arg_values[8] = {};
  for (std::size_t i = 0; i < f.args.size() && i < 8; ++i) {
    if (f.args[i] == no_node) continue;
    eval_value(p, f.args[i], s, args[i]);
    if (!args[i].defined()) return;
    arg_values[i] = args[i].ref;
  }
  const call c{spec, in, arg_values, args, out};
  switch (spec.id) {
    case fid::lower:
    case fid::upper:
    case fid::capitalize: f_case(c, spec.id); return;
    case fid::trim: f_trim(c); return;
    case fid::int_: f_int(c); return;
    case fid::float_: f_float(c); return;
    case fid::string: f_string(c); return;
    case fid::bool_: f_bool(c); return;
    case fid::length: f_length(c); return;
    case fid::join: f_join(c); return;
    case fid::replace: f_replace(c); return;
    case fid::regex_replace: f_regex_replace(c, f); return;
    case fid::basename:
    case fid::dirname:
    case fid::normpath: f_path(c, spec.id); return;
    case fid::to_json: f_to_json(c, false); return;
    case fid::tojson: f_to_json(c, true); return;
    case fid::from_json: f_from_json(c); return;
    case fid::first: f_first_last(c, true); return;
    case fid::last: f_first_last(c, false); return;
    case fid::list: f_list(c); return;
    case fid::abs: f_abs(c); return;
    case fid::round: f_round(c); return;
    case fid::default_: return;
  }
}

// Visits the nodes under `n` in evaluation order, calling `on_path` for each path; subtrees that
// `default` or `is defined` guard are skipped. Stops when `on_path` returns true.
template <class F>
bool visit_paths(const program_data& p, std::uint32_t n, F& on_path) {
  if (n == no_node) return false;
  const node& nd = p.nodes[n];
  switch (nd.code) {
    case opcode::constant:
    case opcode::bound_all: return false;
    case opcode::subject_path:
    case opcode::bound_path:
    case opcode::var_path: return on_path(nd);
    case opcode::list:
      for (std::uint32_t i = 0; i < nd.b; ++i)
        if (visit_paths(p, p.list_items[nd.a + i], on_path)) return true;
      return false;
    case opcode::is_defined: return false;
    case opcode::subscript:
      if (visit_paths(p, nd.a, on_path)) return true;
      return on_path(nd);
    case opcode::filter: {
      const filter_call& f = p.filters[nd.aux];
      if (specs()[f.id].id != fid::default_ && visit_paths(p, nd.a, on_path)) return true;
      for (auto a : f.args)
        if (visit_paths(p, a, on_path)) return true;
      return false;
    }
    case opcode::method: {
      if (visit_paths(p, nd.a, on_path)) return true;
      const method_call& m = p.methods[nd.aux];
      for (auto a : m.args)
        if (visit_paths(p, a, on_path)) return true;
      for (auto a : m.kw_args)
        if (visit_paths(p, a, on_path)) return true;
      return false;
    }
    default:
      if (visit_paths(p, nd.a, on_path)) return true;
      return visit_paths(p, nd.b, on_path);
  }
}

}  // namespace

template_eval_state& eval_state() noexcept { return state; }

std::string find_undefined_path(const program_data& p, std::uint32_t n, const scope& s) {
  std::string message;
  auto check = [&](const node& nd) {
    if (nd.code == opcode::subscript) {
      operand inner;
      eval_value(p, nd.a, s, inner);
      if (!inner.defined() || resolve(*inner.ref, p.subscripts[nd.aux])) return false;
      std::string steps = to_string(p.subscripts[nd.aux]);
      if (!steps.empty() && steps[0] != '[') steps.insert(0, ".");
      message = "'(...)" + steps + "' is undefined";
      return true;
    }
    if (nd.code != opcode::var_path) return false;
    const path_ref& ref = p.paths[nd.aux];
    if (s.vars && resolve(*s.vars, ref.steps)) return false;
    message = undefined_path_message(ref, s);
    return !message.empty();
  };
  visit_paths(p, n, check);
  return message;
}

void eval_filter(const program_data& p, const node& nd, const scope& s, operand& out) noexcept {
  try {
    eval_filter_impl(p, nd, s, out);
  } catch (const std::exception& e) {
    out.ref = nullptr;
    if (!state.hard) {
      state.message =
          std::string("filter '") + specs()[p.filters[nd.aux].id].name + "': " + e.what();
      state.hard = true;
    }
  } catch (...) {
    out.ref = nullptr;
  }
}

std::vector<std::string> filter_names() {
  std::vector<std::string> out;
  for (const auto& s : specs()) out.emplace_back(s.name);
  return out;
}

filter_call bind_filter(const ast_node& a, const std::vector<std::uint32_t>& args,
                        const program_data& d) {
  std::string_view name = a.op_text;
  for (std::string_view prefix : {"ansible.builtin.", "eda.builtin."})
    if (name.substr(0, prefix.size()) == prefix) name.remove_prefix(prefix.size());
  const auto& table = specs();
  std::size_t index = table.size();
  for (std::size_t i = 0; i < table.size(); ++i)
    if (name == table[i].name) index = i;
  if (index == table.size()) fail_compile("unknown filter '" + a.op_text + "'", a.op_column);
  const filter_spec& spec = table[index];
  const std::string what = "filter '" + std::string(spec.name) + "'";
  auto param_list = [&]() {
    std::string out;
    for (const auto& p : spec.params) {
      if (!out.empty()) out += ", ";
      out += p.name;
    }
    return out.empty() ? std::string("none") : out;
  };

  filter_call call;
  call.id = static_cast<std::uint16_t>(index);
  call.args.assign(spec.params.size(), no_node);
  std::size_t positional = 0;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& keyword = a.arg_names[i];
    const std::size_t column = a.arg_columns[i];
    std::size_t slot = spec.params.size();
    if (keyword.empty()) {
      slot = positional++;
      if (slot >= spec.params.size())
        fail_compile(what + " takes " +
                         (spec.params.empty() ? std::string("no arguments")
                                              : "at most " + std::to_string(spec.params.size()) +
                                                    " arguments (" + param_list() + ")"),
                     column);
    } else {
      for (std::size_t k = 0; k < spec.params.size(); ++k)
        if (keyword == spec.params[k].name ||
            (spec.params[k].alias && keyword == spec.params[k].alias))
          slot = k;
      if (slot == spec.params.size())
        fail_compile(
            what + " has no argument '" + keyword + "' (its arguments: " + param_list() + ")",
            column);
    }
    if (call.args[slot] != no_node)
      fail_compile(what + " got the argument '" + spec.params[slot].name + "' twice", column);
    call.args[slot] = args[i];
  }
  for (std::size_t k = 0; k < spec.params.size(); ++k)
    if (spec.params[k].required && call.args[k] == no_node)
      fail_compile(what + " needs the argument '" + spec.params[k].name +
                       "' (its arguments: " + param_list() + ")",
                   a.op_column);

  auto column_of_slot = [&](std::size_t slot) {
    for (std::size_t i = 0; i < args.size(); ++i)
      if (args[i] == call.args[slot]) return a.arg_columns[i];
    return a.op_column;
  };
  if (spec.id == fid::regex_replace) {
    const std::uint32_t pat = call.args[rx_pattern];
    const std::uint32_t ic = call.args[rx_ignore_case], ml = call.args[rx_multiline];
    const bool flags_known =
        (ic == no_node || is_constant_node(d, ic)) && (ml == no_node || is_constant_node(d, ml));
    if (is_constant_node(d, pat) && flags_known) {
      const value& pv = constant_of(d, pat);
      if (!pv.is_string())
        fail_compile(what + ": the pattern must be a string", column_of_slot(rx_pattern));
      regex_flags flags;
      flags.ignorecase = ic != no_node && py::truthy(constant_of(d, ic));
      flags.multiline = ml != no_node && py::truthy(constant_of(d, ml));
      std::string err;
      call.regex = compile_regex(pv.get_ref<const std::string&>(), flags, &err);
      if (!call.regex)
        fail_compile(what + ": invalid regular expression: " + err, column_of_slot(rx_pattern));
      const std::uint32_t rep = call.args[rx_replacement];
      if (is_constant_node(d, rep)) {
        const value& rv = constant_of(d, rep);
        if (!rv.is_string())
          fail_compile(what + ": the replacement must be a string", column_of_slot(rx_replacement));
        std::vector<repl_piece> pieces;
        if (!parse_replacement(rv.get_ref<const std::string&>(), *call.regex, pieces, err))
          fail_compile(what + ": invalid replacement: " + err, column_of_slot(rx_replacement));
      }
    }
  }
  if (spec.id == fid::round && call.args[1] != no_node && is_constant_node(d, call.args[1])) {
    const value& m = constant_of(d, call.args[1]);
    if (!m.is_string() || (m != "common" && m != "ceil" && m != "floor"))
      fail_compile(what + ": method must be common, ceil or floor", column_of_slot(1));
  }
  return call;
}

}  // namespace rb::condition
