#include "condition/template_methods.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string_view>

#include "condition/template_filters.h"
#include "condition/template_python.h"

namespace rb::condition {
namespace {

// ---- the table ---------------------------------------------------------------------------------

enum class mid : std::uint8_t {
  split,
  rsplit,
  lower,
  upper,
  capitalize,
  title,
  strip,
  lstrip,
  rstrip,
  replace,
  startswith,
  endswith,
  join,
  format,
  count,
  find,
  index,
  get,
  keys,
  values,
  items,
};

// Which receivers have the method.
enum : std::uint8_t { on_str = 1, on_list = 2, on_dict = 4 };

constexpr std::size_t variadic = 255;

struct method_spec {
  const char* name;
  mid id;
  std::uint8_t receivers;
  std::size_t min_args, max_args;
  std::vector<const char*> keywords;  // parameters that may be named, by position
  const char* signature;              // for messages
};

const std::vector<method_spec>& specs() {
  static const std::vector<method_spec> table = {
      {"split", mid::split, on_str, 0, 2, {"sep", "maxsplit"}, "sep=None, maxsplit=-1"},
      {"rsplit", mid::rsplit, on_str, 0, 2, {"sep", "maxsplit"}, "sep=None, maxsplit=-1"},
      {"lower", mid::lower, on_str, 0, 0, {}, ""},
      {"upper", mid::upper, on_str, 0, 0, {}, ""},
      {"capitalize", mid::capitalize, on_str, 0, 0, {}, ""},
      {"title", mid::title, on_str, 0, 0, {}, ""},
      {"strip", mid::strip, on_str, 0, 1, {}, "chars=None"},
      {"lstrip", mid::lstrip, on_str, 0, 1, {}, "chars=None"},
      {"rstrip", mid::rstrip, on_str, 0, 1, {}, "chars=None"},
      {"replace", mid::replace, on_str, 2, 3, {nullptr, nullptr, "count"}, "old, new, count=-1"},
      {"startswith", mid::startswith, on_str, 1, 3, {}, "prefix, start, end"},
      {"endswith", mid::endswith, on_str, 1, 3, {}, "suffix, start, end"},
      {"join", mid::join, on_str, 1, 1, {}, "iterable"},
      {"format", mid::format, on_str, 0, variadic, {}, "*args, **kwargs"},
      {"count", mid::count, on_str | on_list, 1, 3, {}, "sub, start, end (a list: value)"},
      {"find", mid::find, on_str, 1, 3, {}, "sub, start, end"},
      {"index", mid::index, on_str | on_list, 1, 3, {}, "sub, start, end"},
      {"get", mid::get, on_dict, 1, 2, {}, "key, default=None"},
      {"keys", mid::keys, on_dict, 0, 0, {}, ""},
      {"values", mid::values, on_dict, 0, 0, {}, ""},
      {"items", mid::items, on_dict, 0, 0, {}, ""},
  };
  return table;
}

// Methods that change their object: Jinja's immutable sandbox refuses them, and a template has
// no business changing an event.
constexpr std::array<std::string_view, 13> modifying = {
    "append",  "extend", "insert",     "pop",     "remove", "clear",  "sort",
    "reverse", "update", "setdefault", "popitem", "add",    "discard"};

[[noreturn]] void fail_compile(std::string message, std::size_t column) {
  throw error{std::move(message), column};
}

// ---- evaluation helpers ------------------------------------------------------------------------

// What a call sees: the receiver and its arguments by slot (nullptr: not given).
struct call {
  const method_spec& spec;
  const operand& in;
  std::vector<const value*> args;
  std::vector<std::string_view> keywords;  // format only
  std::vector<const value*> kw_values;     // format only
  operand& out;

  const value& v() const { return *in.ref; }
  const value* arg(std::size_t i) const { return i < args.size() ? args[i] : nullptr; }
  std::size_t given() const {
    std::size_t n = 0;
    for (const value* a : args) n += a != nullptr;
    return n;
  }
  // Records the exception Python would raise; the first one wins.
  bool raise(std::string_view exception, const std::string& message) const {
    template_eval_state& st = eval_state();
    if (!st.hard) {
      st.message =
          std::string("method '") + spec.name + "': " + std::string(exception) + ": " + message;
      st.hard = true;
    }
    return false;
  }
  bool type_error(const std::string& message) const { return raise("TypeError", message); }
  void set(value x) const { out.set_own(std::move(x)); }
  // A part of the receiver (a dict's value): by pointer unless the receiver was computed here.
  void set_child(const value& child) const {
    if (in.ref == &in.own)
      out.set_own(value(child));
    else
      out.ref = &child;
  }
};

const std::string& str_of(const value& v) { return v.get_ref<const std::string&>(); }

std::string type_repr(const value& v) {
  return v.is_null() ? std::string("None") : std::string(py::type_name(v)) + " object";
}

// An integer argument as Python's __index__ accepts it (bools count).
bool index_arg(const value& v, long long& out) {
  if (v.is_boolean()) {
    out = v.get<bool>() ? 1 : 0;
    return true;
  }
  if (v.is_number_unsigned()) {
    out = static_cast<long long>(std::min<std::uint64_t>(v.get<std::uint64_t>(), INT64_MAX));
    return true;
  }
  if (v.is_number_integer()) {
    out = v.get<std::int64_t>();
    return true;
  }
  return false;
}

std::string not_integer(const value& v) {
  return std::string("'") + py::type_name(v) + "' object cannot be interpreted as an integer";
}

// A string as code points with their byte offsets (one more entry: the end).
struct code_points {
  std::vector<std::uint32_t> cps;
  std::vector<std::size_t> at;

  explicit code_points(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
      at.push_back(i);
      cps.push_back(py::decode_code_point(s, i));
    }
    at.push_back(s.size());
  }
  long long size() const { return static_cast<long long>(cps.size()); }
  std::size_t byte(long long cp) const { return at[static_cast<std::size_t>(cp)]; }
};

// Python's ADJUST_INDICES for str.find/count/startswith and list.index: negative counts from the
// end, then clamped; a start past the end stays there (nothing is found).
void adjust_indices(long long& start, long long& end, long long len) {
  if (end > len) {
    end = len;
  } else if (end < 0) {
    end += len;
    if (end < 0) end = 0;
  }
  if (start < 0) {
    start += len;
    if (start < 0) start = 0;
  }
}

// The optional (start, end) arguments at slots `first` and `first + 1`; None means absent.
bool slice_args(const call& c, std::size_t first, long long len, long long& start, long long& end) {
  start = 0;
  end = len;
  for (std::size_t k = 0; k < 2; ++k) {
    const value* a = c.arg(first + k);
    if (!a || a->is_null()) continue;
    if (!index_arg(*a, k == 0 ? start : end))
      return c.type_error("slice indices must be integers or None or have an __index__ method");
  }
  adjust_indices(start, end, len);
  return true;
}

// ---- str ---------------------------------------------------------------------------------------

bool m_split(const call& c, bool from_right) {
  const std::string& s = str_of(c.v());
  const value* sep = c.arg(0);
  long long maxsplit = -1;
  if (sep && !sep->is_null() && !sep->is_string())
    return c.type_error(std::string("must be str or None, not ") + py::type_name(*sep));
  if (const value* m = c.arg(1); m && !index_arg(*m, maxsplit))
    return c.type_error(not_integer(*m));
  if (maxsplit < 0) maxsplit = INT64_MAX;
  std::vector<std::string> parts;
  if (!sep || sep->is_null()) {
    // Runs of whitespace separate; leading and trailing whitespace make no empty parts. Once
    // maxsplit is reached, the rest is one part with only its near-side whitespace removed.
    const code_points t(s);
    const long long n = t.size();
    auto space = [&](long long i) { return py::is_space(t.cps[static_cast<std::size_t>(i)]); };
    auto piece = [&](long long b, long long e) {
      return s.substr(t.byte(b), t.byte(e) - t.byte(b));
    };
    if (!from_right) {
      long long i = 0;
      for (; maxsplit-- > 0;) {
        while (i < n && space(i)) ++i;
        if (i == n) break;
        const long long j = i;
        while (i < n && !space(i)) ++i;
        parts.push_back(piece(j, i));
      }
      while (i < n && space(i)) ++i;
      if (i < n) parts.push_back(piece(i, n));
    } else {
      long long i = n - 1;
      for (; maxsplit-- > 0;) {
        while (i >= 0 && space(i)) --i;
        if (i < 0) break;
        const long long j = i;
        while (i >= 0 && !space(i)) --i;
        parts.push_back(piece(i + 1, j + 1));
      }
      while (i >= 0 && space(i)) --i;
      if (i >= 0) parts.push_back(piece(0, i + 1));
      std::reverse(parts.begin(), parts.end());
    }
  } else {
    const std::string& d = str_of(*sep);
    if (d.empty()) return c.raise("ValueError", "empty separator");
    if (!from_right) {
      std::size_t i = 0;
      for (std::size_t hit; maxsplit-- > 0 && (hit = s.find(d, i)) != std::string::npos;) {
        parts.push_back(s.substr(i, hit - i));
        i = hit + d.size();
      }
      parts.push_back(s.substr(i));
    } else {
      std::size_t end = s.size();
      while (maxsplit-- > 0 && end >= d.size()) {
        const std::size_t hit = s.rfind(d, end - d.size());
        if (hit == std::string::npos) break;
        parts.push_back(s.substr(hit + d.size(), end - hit - d.size()));
        end = hit;
      }
      parts.push_back(s.substr(0, end));
      std::reverse(parts.begin(), parts.end());
    }
  }
  value out = value::array();
  for (auto& p : parts) out.push_back(std::move(p));
  c.set(std::move(out));
  return true;
}

enum class case_mode { lower, upper, capitalize, title };

bool m_case(const call& c, case_mode mode) {
  const std::string& s = str_of(c.v());
  std::string out;
  out.reserve(s.size());
  bool first = true, previous_cased = false;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t start = i;
    const std::uint32_t cp = py::decode_code_point(s, i);
    const std::uint32_t up = py::upper_cp(cp), low = py::lower_cp(cp);
    const bool cased = up != cp || low != cp || cp == 0xdf;
    const bool to_upper = mode == case_mode::upper || (mode == case_mode::capitalize && first) ||
                          (mode == case_mode::title && !previous_cased);
    first = false;
    previous_cased = cased;
    if (cp == 0xdf && to_upper) {  // German sharp s: SS in upper case, Ss in title case
      out += mode == case_mode::upper ? "SS" : "Ss";
      continue;
    }
    const std::uint32_t mapped = to_upper ? up : low;
    if (mapped == cp)
      out.append(s, start, i - start);
    else
      py::append_utf8(out, mapped);
  }
  c.set(std::move(out));
  return true;
}

bool m_strip(const call& c, bool left, bool right) {
  const std::string& s = str_of(c.v());
  const value* chars = c.arg(0);
  if (chars && !chars->is_null() && !chars->is_string())
    return c.type_error(std::string(c.spec.name) + " arg must be None or str");
  const bool by_chars = chars && chars->is_string();
  const code_points set(by_chars ? std::string_view(str_of(*chars)) : std::string_view());
  auto strip = [&](std::uint32_t cp) {
    return by_chars ? std::find(set.cps.begin(), set.cps.end(), cp) != set.cps.end()
                    : py::is_space(cp);
  };
  const code_points t(s);
  long long b = 0, e = t.size();
  if (left)
    while (b < e && strip(t.cps[static_cast<std::size_t>(b)])) ++b;
  if (right)
    while (e > b && strip(t.cps[static_cast<std::size_t>(e - 1)])) --e;
  c.set(s.substr(t.byte(b), t.byte(e) - t.byte(b)));
  return true;
}

bool m_replace(const call& c) {
  const std::string& s = str_of(c.v());
  for (std::size_t k = 0; k < 2; ++k)
    if (!c.arg(k)->is_string())
      return c.type_error("replace() argument " + std::to_string(k + 1) + " must be str, not " +
                          py::type_name(*c.arg(k)));
  const std::string& old = str_of(*c.arg(0));
  const std::string& repl = str_of(*c.arg(1));
  long long count = -1;
  if (const value* n = c.arg(2); n && !index_arg(*n, count)) return c.type_error(not_integer(*n));
  std::string out;
  long long done = 0;
  if (old.empty()) {  // Python inserts `new` before every character and at the end
    const code_points t(s);
    for (long long i = 0; i <= t.size(); ++i) {
      if (count < 0 || done < count) {
        out += repl;
        ++done;
      }
      if (i < t.size()) out.append(s, t.byte(i), t.byte(i + 1) - t.byte(i));
    }
    c.set(std::move(out));
    return true;
  }
  std::size_t pos = 0;
  for (std::size_t hit;
       (count < 0 || done < count) && (hit = s.find(old, pos)) != std::string::npos; ++done) {
    out.append(s, pos, hit - pos).append(repl);
    pos = hit + old.size();
  }
  out.append(s, pos, std::string::npos);
  c.set(std::move(out));
  return true;
}

bool m_affix(const call& c, bool at_start) {
  const std::string& s = str_of(c.v());
  const value& what = *c.arg(0);
  std::vector<const value*> candidates;
  if (what.is_string()) {
    candidates.push_back(&what);
  } else if (what.is_array()) {  // Python wants a tuple; a template can only write a list
    for (const auto& e : what) {
      if (!e.is_string())
        return c.type_error(std::string("tuple for ") + c.spec.name +
                            " must only contain str, not " + py::type_name(e));
      candidates.push_back(&e);
    }
  } else {
    return c.type_error(std::string(c.spec.name) +
                        " first arg must be str or a tuple of str, not " + py::type_name(what));
  }
  const code_points t(s);
  long long start = 0, end = 0;
  if (!slice_args(c, 1, t.size(), start, end)) return false;
  bool found = false;
  for (const value* cand : candidates) {
    const std::string& a = str_of(*cand);
    const auto len = static_cast<long long>(py::code_points(a));
    if (end - len < start) continue;
    const std::size_t at = at_start ? t.byte(start) : t.byte(end - len);
    if (s.compare(at, a.size(), a) == 0) found = true;
  }
  c.set(found);
  return true;
}

// str.find / str.index / str.count over [start, end).
bool m_search(const call& c) {
  const std::string& s = str_of(c.v());
  const value& sub_v = *c.arg(0);
  if (!sub_v.is_string())
    return c.type_error(std::string("must be str, not ") + py::type_name(sub_v));
  const std::string& sub = str_of(sub_v);
  const code_points t(s);
  long long start = 0, end = 0;
  if (!slice_args(c, 1, t.size(), start, end)) return false;
  const auto sub_len = static_cast<long long>(py::code_points(sub));
  const bool fits = end - start >= sub_len;
  if (c.spec.id == mid::count) {
    long long n = 0;
    if (fits && sub.empty()) {
      n = end - start + 1;
    } else if (fits) {
      const std::string_view range =
          std::string_view(s).substr(t.byte(start), t.byte(end) - t.byte(start));
      for (std::size_t i = 0; (i = range.find(sub, i)) != std::string_view::npos; i += sub.size())
        ++n;
    }
    c.set(n);
    return true;
  }
  long long found = -1;
  if (fits) {
    const std::string_view range =
        std::string_view(s).substr(t.byte(start), t.byte(end) - t.byte(start));
    const std::size_t hit = range.find(sub);
    if (hit != std::string_view::npos)
      found = start + static_cast<long long>(py::code_points(range.substr(0, hit)));
  }
  if (found < 0 && c.spec.id == mid::index) return c.raise("ValueError", "substring not found");
  c.set(found);
  return true;
}

bool m_join(const call& c) {
  const std::string& sep = str_of(c.v());
  const value& items = *c.arg(0);
  std::string out;
  auto add = [&](std::string_view piece, bool first) {
    if (!first) out += sep;
    out.append(piece);
  };
  if (items.is_array()) {
    std::size_t i = 0;
    for (const auto& e : items) {
      if (!e.is_string())
        return c.type_error("sequence item " + std::to_string(i) + ": expected str instance, " +
                            py::type_name(e) + " found");
      add(str_of(e), i++ == 0);
    }
  } else if (items.is_object()) {
    bool first = true;
    for (const auto& [k, e] : items.get_ref<const value::object_t&>()) {
      (void)e;
      add(k, first);
      first = false;
    }
  } else if (items.is_string()) {
    const std::string& s = str_of(items);
    for (std::size_t i = 0; i < s.size();) {
      const std::size_t start = i;
      py::decode_code_point(s, i);
      add(std::string_view(s).substr(start, i - start), start == 0);
    }
  } else {
    return c.type_error("can only join an iterable");
  }
  c.set(std::move(out));
  return true;
}

// ---- str.format --------------------------------------------------------------------------------

// The format-spec mini-language: [[fill]align][sign][z][#][0][width][grouping][.precision][type].
struct format_spec {
  std::string fill = " ";
  char align = 0;
  char sign = 0;
  bool z = false, alternate = false, zero = false;
  long long width = -1;
  char grouping = 0;
  long long precision = -1;
  char type = 0;
  bool zero_align = false;  // align '=' came from the `0` flag, not from the text
};

class formatter {
 public:
  explicit formatter(const call& c) : c_(c) {}

  bool run(std::string_view fmt, std::string& out, int depth = 0) {
    if (depth > 1) return c_.raise("ValueError", "Max string recursion exceeded");
    for (std::size_t i = 0; i < fmt.size();) {
      const char ch = fmt[i];
      if (ch == '}') {
        if (i + 1 < fmt.size() && fmt[i + 1] == '}') {
          out += '}';
          i += 2;
          continue;
        }
        return c_.raise("ValueError", "Single '}' encountered in format string");
      }
      if (ch != '{') {
        out += ch;
        ++i;
        continue;
      }
      if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
        out += '{';
        i += 2;
        continue;
      }
      if (i + 1 == fmt.size())
        return c_.raise("ValueError", "Single '{' encountered in format string");
      // The field runs to the matching '}' (a format spec may hold nested fields).
      std::size_t j = i + 1;
      int nesting = 1;
      for (; j < fmt.size(); ++j) {
        if (fmt[j] == '[') {  // a key in brackets may hold braces
          while (j < fmt.size() && fmt[j] != ']') ++j;
          if (j == fmt.size()) break;
        } else if (fmt[j] == '{') {
          ++nesting;
        } else if (fmt[j] == '}' && --nesting == 0) {
          break;
        }
      }
      if (j >= fmt.size()) return c_.raise("ValueError", "expected '}' before end of string");
      if (!field(fmt.substr(i + 1, j - i - 1), out, depth)) return false;
      i = j + 1;
    }
    return true;
  }

 private:
  bool field(std::string_view f, std::string& out, int depth) {
    // field_name [!conversion] [:spec]; '!' and ':' inside [...] belong to the key.
    std::size_t end_name = 0;
    while (end_name < f.size() && f[end_name] != '!' && f[end_name] != ':') {
      if (f[end_name] == '[')
        while (end_name < f.size() && f[end_name] != ']') ++end_name;
      if (end_name < f.size()) ++end_name;
    }
    const std::string_view name = f.substr(0, end_name);
    char conversion = 0;
    std::string_view spec_text;
    std::size_t k = end_name;
    if (k < f.size() && f[k] == '!') {
      if (k + 1 >= f.size())
        return c_.raise("ValueError", "end of string while looking for conversion specifier");
      conversion = f[k + 1];
      k += 2;
      if (k < f.size() && f[k] != ':')
        return c_.raise("ValueError", "expected ':' after conversion specifier");
    }
    if (k < f.size()) spec_text = f.substr(k + 1);

    const value* v = nullptr;
    value holder;
    if (!lookup(name, v, holder)) return false;

    std::string spec;
    if (spec_text.find('{') != std::string_view::npos) {
      if (!run(spec_text, spec, depth + 1)) return false;
    } else {
      spec = std::string(spec_text);
    }

    value converted;
    if (conversion) {
      std::string text;
      if (conversion == 's') {
        py::append_str(text, *v);
      } else if (conversion == 'r' || conversion == 'a') {
        py::append_repr(text, *v);
        if (conversion == 'a') text = ascii_escaped(text);
      } else {
        return c_.raise("ValueError", std::string("Unknown conversion specifier ") + conversion);
      }
      converted = std::move(text);
      v = &converted;
    }
    return format_value(*v, spec, out);
  }

  // arg_name ('.' attribute | '[' key ']')*
  bool lookup(std::string_view name, const value*& v, value& holder) {
    std::size_t i = 0;
    while (i < name.size() && name[i] != '.' && name[i] != '[') ++i;
    const std::string_view first = name.substr(0, i);
    if (first.empty()) {
      if (manual_) {
        return c_.raise("ValueError",
                        "cannot switch from manual field specification to automatic field "
                        "numbering");
      }
      automatic_ = true;
      if (!positional(next_auto_++, v)) return false;
    } else if (std::all_of(first.begin(), first.end(),
                           [](char ch) { return ch >= '0' && ch <= '9'; })) {
      if (automatic_) {
        return c_.raise("ValueError",
                        "cannot switch from automatic field numbering to manual field "
                        "specification");
      }
      manual_ = true;
      if (first.size() > 9)
        return c_.raise("ValueError", "Too many decimal digits in format string");
      if (!positional(std::stoul(std::string(first)), v)) return false;
    } else {
      v = nullptr;
      for (std::size_t k = 0; k < c_.keywords.size(); ++k)
        if (c_.keywords[k] == first) v = c_.kw_values[k];
      if (!v) return c_.raise("KeyError", "'" + std::string(first) + "'");
    }
    while (i < name.size()) {
      if (name[i] == '.') {
        std::size_t e = i + 1;
        while (e < name.size() && name[e] != '.' && name[e] != '[') ++e;
        const std::string attribute(name.substr(i + 1, e - i - 1));
        if (attribute.empty()) return c_.raise("ValueError", "Empty attribute in format string");
        return c_.raise("AttributeError", "'" + std::string(py::type_name(*v)) +
                                              "' object has no attribute '" + attribute + "'");
      }
      const std::size_t close = name.find(']', i);
      if (close == std::string_view::npos)
        return c_.raise("ValueError", "Missing ']' in format string");
      const std::string key(name.substr(i + 1, close - i - 1));
      if (key.empty()) return c_.raise("ValueError", "Empty attribute in format string");
      const bool numeric =
          std::all_of(key.begin(), key.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
      if (!item(*v, key, numeric, v, holder)) return false;
      i = close + 1;
      if (i < name.size() && name[i] != '.' && name[i] != '[')
        return c_.raise("ValueError", "Only '.' or '[' may follow ']' in format field specifier");
    }
    return true;
  }

  bool positional(std::size_t index, const value*& v) {
    if (index >= c_.args.size())
      return c_.raise("IndexError", "Replacement index " + std::to_string(index) +
                                        " out of range for positional args tuple");
    v = c_.args[index];
    return true;
  }

  // `[key]` in a field: digits are an int index (so a dict's "1" key is not found, as in Python).
  bool item(const value& from, const std::string& key, bool numeric, const value*& v,
            value& holder) {
    if (from.is_object()) {
      auto it = numeric ? from.end() : from.find(key);
      if (it == from.end()) return c_.raise("KeyError", numeric ? key : "'" + key + "'");
      v = &*it;
      return true;
    }
    if (from.is_array() || from.is_string()) {
      if (!numeric)
        return c_.type_error(std::string(py::type_name(from)) +
                             " indices must be integers or slices, not str");
      const std::size_t index = key.size() > 9 ? SIZE_MAX : std::stoul(key);
      if (from.is_array()) {
        if (index >= from.size()) return c_.raise("IndexError", "list index out of range");
        v = &from[index];
        return true;
      }
      const code_points t(str_of(from));
      if (index >= t.cps.size()) return c_.raise("IndexError", "string index out of range");
      holder = str_of(from).substr(t.at[index], t.at[index + 1] - t.at[index]);
      v = &holder;
      return true;
    }
    return c_.type_error("'" + std::string(py::type_name(from)) + "' object is not subscriptable");
  }

  static std::string ascii_escaped(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
      const std::uint32_t cp = py::decode_code_point(text, i);
      if (cp < 0x80) {
        out += static_cast<char>(cp);
        continue;
      }
      char buf[16];
      if (cp <= 0xff)
        std::snprintf(buf, sizeof buf, "\\x%02x", cp);
      else if (cp <= 0xffff)
        std::snprintf(buf, sizeof buf, "\\u%04x", cp);
      else
        std::snprintf(buf, sizeof buf, "\\U%08x", cp);
      out += buf;
    }
    return out;
  }

  bool parse_spec(std::string_view s, const value& v, format_spec& f) {
    std::size_t i = 0;
    auto is_align = [](char ch) { return ch == '<' || ch == '>' || ch == '=' || ch == '^'; };
    std::size_t first_len = 0;
    if (!s.empty()) {
      py::decode_code_point(s, first_len);
      if (first_len < s.size() && is_align(s[first_len])) {
        f.fill = std::string(s.substr(0, first_len));
        f.align = s[first_len];
        i = first_len + 1;
      } else if (is_align(s[0])) {
        f.align = s[0];
        i = 1;
      }
    }
    if (i < s.size() && (s[i] == '+' || s[i] == '-' || s[i] == ' ')) f.sign = s[i++];
    if (i < s.size() && s[i] == 'z') f.z = true, ++i;
    if (i < s.size() && s[i] == '#') f.alternate = true, ++i;
    if (i < s.size() && s[i] == '0') f.zero = true, ++i;
    auto digits = [&](long long& out) {
      const std::size_t b = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      if (i == b) return false;
      if (i - b > 9) return false;
      out = std::stoll(std::string(s.substr(b, i - b)));
      return true;
    };
    digits(f.width);
    if (i < s.size() && (s[i] == ',' || s[i] == '_')) f.grouping = s[i++];
    if (i < s.size() && s[i] == '.') {
      ++i;
      if (!digits(f.precision)) return c_.raise("ValueError", "Format specifier missing precision");
    }
    if (i < s.size()) f.type = s[i++];
    if (i < s.size())
      return c_.raise("ValueError", "Invalid format specifier '" + std::string(s) +
                                        "' for object of type '" + py::type_name(v) + "'");
    if (f.zero && !f.align) {
      f.fill = "0";
      f.align = '=';
      f.zero_align = true;
    }
    return true;
  }

  bool format_value(const value& v, const std::string& spec_text, std::string& out) {
    if (spec_text.empty()) {
      py::append_str(out, v);
      return true;
    }
    if (v.is_null() || v.is_array() || v.is_object())
      return c_.type_error(std::string("unsupported format string passed to ") + py::type_name(v) +
                           ".__format__");
    format_spec f;
    if (!parse_spec(spec_text, v, f)) return false;
    if (v.is_string()) return format_string(str_of(v), f, out);
    const bool float_type = f.type &&
                            std::string_view("eEfFgGn%").find(f.type) != std::string_view::npos &&
                            !(f.type == 'n' && !v.is_number_float());
    if (v.is_number_float() || float_type) {
      const double d = v.is_boolean() ? (v.get<bool>() ? 1.0 : 0.0) : v.get<double>();
      return format_float(d, f, out);
    }
    return format_int(v, f, out);
  }

  bool unknown_code(const format_spec& f, const char* type) {
    return c_.raise("ValueError", std::string("Unknown format code '") + f.type +
                                      "' for object of type '" + type + "'");
  }

  // Pads `body` (after `prefix`: the sign and 0x) to the width: '=' puts the fill between them.
  void pad(std::string prefix, std::string body, const format_spec& f, char default_align,
           std::string& out) {
    const auto len = static_cast<long long>(py::code_points(prefix) + py::code_points(body));
    const long long missing = f.width > len ? f.width - len : 0;
    auto fill = [&](long long n) {
      for (long long k = 0; k < n; ++k) out += f.fill;
    };
    switch (f.align ? f.align : default_align) {
      case '<':
        out += prefix + body, fill(missing);
        break;
      case '>':
        fill(missing), out += prefix + body;
        break;
      case '^':
        fill(missing / 2), out += prefix + body, fill(missing - missing / 2);
        break;
      default:
        out += prefix, fill(missing), out += body;
        break;  // '='
    }
  }

  bool format_string(const std::string& s, format_spec f, std::string& out) {
    if (f.type && f.type != 's') return unknown_code(f, "str");
    if (f.sign) return c_.raise("ValueError", "Sign not allowed in string format specifier");
    if (f.alternate)
      return c_.raise("ValueError", "Alternate form (#) not allowed in string format specifier");
    if (f.grouping)
      return c_.raise("ValueError", std::string("Cannot specify '") + f.grouping + "' with 's'.");
    if (f.align == '=') {
      if (!f.zero_align)
        return c_.raise("ValueError", "'=' alignment not allowed in string format specifier");
      f.align = '<';  // `0` on a string: zero fill on the right
    }
    std::string body = s;
    if (f.precision >= 0) {
      const code_points t(s);
      if (f.precision < t.size()) body = s.substr(0, t.byte(f.precision));
    }
    pad("", std::move(body), f, '<', out);
    return true;
  }

  static void group(std::string& digits, char sep, std::size_t every) {
    std::string out;
    const std::size_t n = digits.size();
    for (std::size_t k = 0; k < n; ++k) {
      if (k > 0 && (n - k) % every == 0) out += sep;
      out += digits[k];
    }
    digits = std::move(out);
  }

  std::string sign_of(bool negative, const format_spec& f) {
    if (negative) return "-";
    if (f.sign == '+') return "+";
    if (f.sign == ' ') return " ";
    return "";
  }

  bool format_int(const value& v, const format_spec& f, std::string& out) {
    if (f.precision >= 0)
      return c_.raise("ValueError", "Precision not allowed in integer format specifier");
    bool negative = false;
    std::uint64_t magnitude = 0;
    if (v.is_boolean()) {
      magnitude = v.get<bool>() ? 1 : 0;
    } else if (v.is_number_unsigned()) {
      magnitude = v.get<std::uint64_t>();
    } else {
      const std::int64_t i = v.get<std::int64_t>();
      negative = i < 0;
      magnitude =
          negative ? static_cast<std::uint64_t>(-(i + 1)) + 1 : static_cast<std::uint64_t>(i);
    }
    const char type = f.type ? f.type : 'd';
    if (type == 'c') {
      if (f.sign)
        return c_.raise("ValueError", "Sign not allowed with integer format specifier 'c'");
      if (negative || magnitude > 0x10ffff)
        return c_.raise("OverflowError", "%c arg not in range(0x110000)");
      std::string body;
      py::append_utf8(body, static_cast<std::uint32_t>(magnitude));
      pad("", std::move(body), f, '<', out);
      return true;
    }
    unsigned base = 10;
    const char* prefix = "";
    switch (type) {
      case 'd':
      case 'n':
        break;
      case 'b':
        base = 2, prefix = "0b";
        break;
      case 'o':
        base = 8, prefix = "0o";
        break;
      case 'x':
        base = 16, prefix = "0x";
        break;
      case 'X':
        base = 16, prefix = "0X";
        break;
      default:
        return unknown_code(f, v.is_boolean() ? "bool" : "int");
    }
    std::string digits;
    const char* alphabet = type == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
      digits += alphabet[magnitude % base];
      magnitude /= base;
    } while (magnitude);
    std::reverse(digits.begin(), digits.end());
    if (f.grouping) {
      if (f.grouping == ',' && base != 10)
        return c_.raise("ValueError", std::string("Cannot specify ',' with '") + type + "'.");
      group(digits, f.grouping, base == 10 ? 3 : 4);
    }
    pad(sign_of(negative, f) + (f.alternate ? prefix : ""), std::move(digits), f, '>', out);
    return true;
  }

  bool format_float(double d, const format_spec& f, std::string& out) {
    char type = f.type;
    if (type && std::string_view("eEfFgGn%").find(type) == std::string_view::npos)
      return unknown_code(f, "float");
    bool negative = std::signbit(d);
    const double x = std::fabs(d);
    std::string body;
    const bool upper = type == 'E' || type == 'F' || type == 'G';
    if (std::isnan(d) || std::isinf(d)) {
      body = std::isnan(d) ? "nan" : "inf";
      if (upper) body = std::isnan(d) ? "NAN" : "INF";
      if (type == '%') body += '%';
    } else if (!type && f.precision < 0) {
      body = py::float_repr(x);  // str(): the shortest repr
    } else {
      const long long p = f.precision < 0 ? 6 : f.precision;
      std::string conv = "%";
      if (f.alternate) conv += '#';
      conv += ".*";
      double shown = x;
      switch (type) {
        case 'e':
        case 'E':
        case 'f':
        case 'F':
          conv += type;
          break;
        case '%':
          conv += 'f', shown = x * 100;
          break;
        case 'g':
        case 'G':
        case 'n':
          conv += type == 'G' ? 'G' : 'g';
          break;
        default:
          conv += 'g';
          break;  // no type, a precision: 'g' with a digit after the point
      }
      const int prec = static_cast<int>(std::min<long long>(
          type == 0 || type == 'g' || type == 'G' || type == 'n' ? std::max<long long>(p, 1) : p,
          500));
      char buf[1024];  // enough for 1e308 with the precision capped at 500
      std::snprintf(buf, sizeof buf, conv.c_str(), prec, shown);
      body = buf;
      if (!type && body.find_first_of(".e") == std::string::npos) body += ".0";
      if (type == '%') body += '%';
    }
    if (f.z && negative && body.find_first_of("123456789") == std::string::npos) negative = false;
    if (f.grouping) {
      const std::size_t int_end = std::min(body.find_first_not_of("0123456789"), body.size());
      std::string int_part = body.substr(0, int_end);
      group(int_part, f.grouping, 3);
      body = int_part + body.substr(int_end);
    }
    pad(sign_of(negative, f), std::move(body), f, '>', out);
    return true;
  }

  const call& c_;
  bool automatic_ = false, manual_ = false;
  std::size_t next_auto_ = 0;
};

bool m_format(const call& c) {
  std::string out;
  formatter f(c);
  if (!f.run(str_of(c.v()), out)) return false;
  c.set(std::move(out));
  return true;
}

// ---- list --------------------------------------------------------------------------------------

bool m_list(const call& c) {
  const value& list = c.v();
  if (c.spec.id == mid::count) {
    if (c.given() != 1)
      return c.type_error("list.count() takes exactly one argument (" + std::to_string(c.given()) +
                          " given)");
    long long n = 0;
    for (const auto& e : list) n += py::equals(e, *c.arg(0));
    c.set(n);
    return true;
  }
  long long start = 0, end = 0;
  const auto len = static_cast<long long>(list.size());
  for (std::size_t k = 1; k < 3; ++k) {
    const value* a = c.arg(k);
    if (a && !index_arg(*a, k == 1 ? start : end))
      return c.type_error("slice indices must be integers or have an __index__ method");
  }
  if (!c.arg(2)) end = len;
  adjust_indices(start, end, len);
  for (long long i = start; i < end; ++i) {
    if (py::equals(list[static_cast<std::size_t>(i)], *c.arg(0))) {
      c.set(i);
      return true;
    }
  }
  std::string repr;
  py::append_repr(repr, *c.arg(0));
  return c.raise("ValueError", repr + " is not in list");
}

// ---- dict --------------------------------------------------------------------------------------

bool m_dict(const call& c) {
  const value& dict = c.v();
  switch (c.spec.id) {
    case mid::get: {
      const value& key = *c.arg(0);
      if (key.is_array() || key.is_object())
        return c.type_error(std::string("unhashable type: '") + py::type_name(key) + "'");
      // Event keys are strings: a key of another type (1, None) is never there.
      if (key.is_string()) {
        if (auto it = dict.find(str_of(key)); it != dict.end()) {
          c.set_child(*it);
          return true;
        }
      }
      if (const value* fallback = c.arg(1))
        c.set(*fallback);
      else
        c.set(value());
      return true;
    }
    case mid::keys:
    case mid::values:
    case mid::items: {
      value out = value::array();
      for (const auto& [k, e] : dict.get_ref<const value::object_t&>()) {
        if (c.spec.id == mid::keys)
          out.push_back(k);
        else if (c.spec.id == mid::values)
          out.push_back(e);
        else
          out.push_back(value::array({k, e}));
      }
      c.set(std::move(out));
      return true;
    }
    default:
      return false;
  }
}

// ---- dispatch ----------------------------------------------------------------------------------

bool run(const call& c) {
  const value& v = c.v();
  const std::uint8_t kind = v.is_string()   ? on_str
                            : v.is_array()  ? on_list
                            : v.is_object() ? on_dict
                                            : 0;
  if (!(c.spec.receivers & kind)) {
    // Jinja finds no such attribute and StrictUndefined raises when it is called.
    template_eval_state& st = eval_state();
    if (!st.hard) {
      st.message = "'" + type_repr(v) + "' has no attribute '" + c.spec.name + "'";
      st.hard = true;
    }
    return false;
  }
  if (kind == on_list) return m_list(c);
  if (kind == on_dict) return m_dict(c);
  switch (c.spec.id) {
    case mid::split:
      return m_split(c, false);
    case mid::rsplit:
      return m_split(c, true);
    case mid::lower:
      return m_case(c, case_mode::lower);
    case mid::upper:
      return m_case(c, case_mode::upper);
    case mid::capitalize:
      return m_case(c, case_mode::capitalize);
    case mid::title:
      return m_case(c, case_mode::title);
    case mid::strip:
      return m_strip(c, true, true);
    case mid::lstrip:
      return m_strip(c, true, false);
    case mid::rstrip:
      return m_strip(c, false, true);
    case mid::replace:
      return m_replace(c);
    case mid::startswith:
      return m_affix(c, true);
    case mid::endswith:
      return m_affix(c, false);
    case mid::join:
      return m_join(c);
    case mid::format:
      return m_format(c);
    case mid::count:
    case mid::find:
    case mid::index:
      return m_search(c);
    default:
      return false;
  }
}

void eval_method_impl(const program_data& p, const node& nd, const scope& s, operand& out) {
  const method_call& m = p.methods[nd.aux];
  operand in;
  eval_value(p, nd.a, s, in);
  if (!in.defined()) return;
  std::vector<operand> args(m.args.size()), kw(m.kw_args.size());
  call c{specs()[m.id], in, {}, {}, {}, out};
  c.args.assign(m.args.size(), nullptr);
  for (std::size_t i = 0; i < m.args.size(); ++i) {
    if (m.args[i] == no_node) continue;
    eval_value(p, m.args[i], s, args[i]);
    if (!args[i].defined()) return;
    c.args[i] = args[i].ref;
  }
  for (std::size_t i = 0; i < m.kw_args.size(); ++i) {
    eval_value(p, m.kw_args[i], s, kw[i]);
    if (!kw[i].defined()) return;
    c.keywords.push_back(m.keywords[i]);
    c.kw_values.push_back(kw[i].ref);
  }
  run(c);
}

}  // namespace

void eval_method(const program_data& p, const node& nd, const scope& s, operand& out) noexcept {
  try {
    eval_method_impl(p, nd, s, out);
  } catch (const std::exception& e) {
    out.ref = nullptr;
    template_eval_state& st = eval_state();
    if (!st.hard) {
      st.message = std::string("method '") + specs()[p.methods[nd.aux].id].name + "': " + e.what();
      st.hard = true;
    }
  } catch (...) {
    out.ref = nullptr;
  }
}

std::vector<std::string> method_names() {
  std::vector<std::string> out;
  for (const auto& s : specs()) out.emplace_back(s.name);
  return out;
}

method_call bind_method(const ast_node& a, const std::vector<std::uint32_t>& args) {
  const std::string& name = a.op_text;
  const auto& table = specs();
  std::size_t index = table.size();
  for (std::size_t i = 0; i < table.size(); ++i)
    if (name == table[i].name) index = i;
  if (index == table.size()) {
    if (!name.empty() && name[0] == '_')
      fail_compile("'" + name +
                       "' is not allowed: names starting with '_' are private (Jinja's "
                       "sandbox refuses them)",
                   a.op_column);
    if (std::find(modifying.begin(), modifying.end(), name) != modifying.end())
      fail_compile("method '" + name + "' changes its object, which a template may not do",
                   a.op_column);
    std::string known;
    for (const auto& s : table) known += (known.empty() ? "" : ", ") + std::string(s.name);
    fail_compile("unknown method '" + name + "' (the methods are: " + known + ")", a.op_column);
  }
  const method_spec& spec = table[index];
  const std::string what = "method '" + name + "'";
  method_call call;
  call.id = static_cast<std::uint16_t>(index);
  std::size_t positional = 0;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& keyword = a.arg_names[i];
    const std::size_t column = a.arg_columns[i];
    if (spec.id == mid::format) {
      if (keyword.empty()) {
        call.args.push_back(args[i]);
      } else {
        if (std::find(call.keywords.begin(), call.keywords.end(), keyword) != call.keywords.end())
          fail_compile(what + " got the keyword argument '" + keyword + "' twice", column);
        call.keywords.push_back(keyword);
        call.kw_args.push_back(args[i]);
      }
      continue;
    }
    std::size_t slot = spec.max_args;
    if (keyword.empty()) {
      slot = positional++;
    } else {
      for (std::size_t k = 0; k < spec.keywords.size(); ++k)
        if (spec.keywords[k] && keyword == spec.keywords[k]) slot = k;
      if (slot == spec.max_args)
        fail_compile(what + (spec.keywords.empty()
                                 ? " takes no keyword arguments"
                                 : " has no argument '" + keyword + "' (" + spec.signature + ")"),
                     column);
    }
    if (slot >= spec.max_args)
      fail_compile(what + (spec.max_args == 0
                               ? " takes no arguments"
                               : " takes at most " + std::to_string(spec.max_args) + " argument" +
                                     (spec.max_args == 1 ? "" : "s") + " (" + spec.signature + ")"),
                   column);
    if (call.args.size() <= slot) call.args.resize(slot + 1, no_node);
    if (call.args[slot] != no_node)
      fail_compile(what + " got the argument '" + spec.keywords[slot] + "' twice", column);
    call.args[slot] = args[i];
  }
  std::size_t given = 0;
  for (std::size_t k = 0; k < spec.min_args; ++k)
    given += k < call.args.size() && call.args[k] != no_node;
  if (given < spec.min_args)
    fail_compile(what + " needs " + (spec.min_args == spec.max_args ? "" : "at least ") +
                     std::to_string(spec.min_args) + " argument" + (spec.min_args == 1 ? "" : "s") +
                     " (" + spec.signature + ")",
                 a.op_column);
  return call;
}

}  // namespace rb::condition
