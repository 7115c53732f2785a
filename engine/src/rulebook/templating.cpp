#include "rulebook/templating.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <optional>
#include <vector>

namespace rb::rulebook {
namespace {

bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

struct step {
  bool is_index = false;
  std::string key;
  long index = 0;
};

std::string path_text(const std::vector<step>& steps, std::size_t upto) {
  std::string out;
  for (std::size_t i = 0; i < upto && i < steps.size(); ++i) {
    if (steps[i].is_index) {
      out += "[" + std::to_string(steps[i].index) + "]";
    } else {
      if (i) out += ".";
      out += steps[i].key;
    }
  }
  return out;
}

// Parses `name(.key | .0 | [0] | ["key"] | ['key'])*`. Returns an error message or "".
std::string parse_path(std::string_view e, std::vector<step>& steps) {
  std::size_t i = 0;
  auto ident = [&](std::string& out) {
    if (i >= e.size() || !is_ident_start(e[i])) return false;
    const std::size_t start = i;
    while (i < e.size() && is_ident_char(e[i])) ++i;
    out = std::string(e.substr(start, i - start));
    return true;
  };
  step first;
  if (!ident(first.key)) return "expected a variable name";
  steps.push_back(first);
  while (i < e.size()) {
    step s;
    if (e[i] == '.') {
      ++i;
      if (i < e.size() && std::isdigit(static_cast<unsigned char>(e[i]))) {
        // Jinja's `a.0` indexes a list (and looks up key "0" in a mapping).
        const std::size_t start = i;
        while (i < e.size() && std::isdigit(static_cast<unsigned char>(e[i]))) ++i;
        s.is_index = true;
        s.key = std::string(e.substr(start, i - start));
        s.index = std::stol(s.key);
      } else if (!ident(s.key)) {
        return "expected an attribute name after '.'";
      }
    } else if (e[i] == '[') {
      ++i;
      if (i < e.size() && (e[i] == '"' || e[i] == '\'')) {
        const char q = e[i++];
        const std::size_t start = i;
        while (i < e.size() && e[i] != q) ++i;
        if (i >= e.size()) return "unterminated string in '[...]'";
        s.key = std::string(e.substr(start, i - start));
        ++i;
      } else {
        const std::size_t start = i;
        if (i < e.size() && e[i] == '-') ++i;
        while (i < e.size() && std::isdigit(static_cast<unsigned char>(e[i]))) ++i;
        if (i == start || e.substr(start, i - start) == "-") {
          return "expected an index or a quoted key inside '[...]'";
        }
        s.is_index = true;
        s.key = std::string(e.substr(start, i - start));
        s.index = std::stol(s.key);
      }
      if (i >= e.size() || e[i] != ']') return "expected ']'";
      ++i;
    } else {
      return "only variable names and dotted paths are supported inside {{ }} for now";
    }
    steps.push_back(std::move(s));
  }
  return "";
}

std::variant<value, render_error> evaluate(std::string_view expr, std::size_t expr_offset,
                                           const value& vars) {
  // Trim, remembering where the expression text really starts for the error offset.
  std::size_t b = 0, e = expr.size();
  while (b < e && std::isspace(static_cast<unsigned char>(expr[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(expr[e - 1]))) --e;
  const std::string_view body = expr.substr(b, e - b);
  const std::size_t at = expr_offset + b;
  if (body.empty()) return render_error{at, "empty expression inside {{ }}"};
  if (auto bar = body.find('|'); bar != std::string_view::npos) {
    return render_error{
        at + bar, "Jinja filters ('|') are not supported yet in {{ " + std::string(body) + " }}"};
  }
  std::vector<step> steps;
  if (auto err = parse_path(body, steps); !err.empty()) {
    return render_error{at, err + " (in {{ " + std::string(body) + " }})"};
  }
  const value* cur = &vars;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const step& s = steps[i];
    const value* next = nullptr;
    if (cur->is_object()) {
      auto it = cur->find(s.key);
      if (it != cur->end()) next = &*it;
    } else if (cur->is_array() && s.is_index) {
      long idx = s.index < 0 ? static_cast<long>(cur->size()) + s.index : s.index;
      if (idx >= 0 && idx < static_cast<long>(cur->size())) next = &(*cur)[idx];
    }
    if (!next) {
      if (i == 0) return render_error{at, "undefined variable '" + s.key + "'"};
      return render_error{at, "'" + path_text(steps, i + 1) + "' is undefined ('" +
                                  path_text(steps, i) + "' has no " +
                                  (s.is_index ? "index " : "key ") + s.key + ")"};
    }
    cur = next;
  }
  return *cur;
}

std::string python_float(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  // Python prints the shortest repr that round-trips and always shows a fraction or exponent.
  char buf[64];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  std::string s = buf;
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

std::string python_repr(const value& v);

std::string python_repr_string(const std::string& s) {
  const char q =
      (s.find('\'') != std::string::npos && s.find('"') == std::string::npos) ? '"' : '\'';
  std::string out(1, q);
  for (char c : s) {
    if (c == q || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + q;
}

std::string python_repr(const value& v) {
  if (v.is_string()) return python_repr_string(v.get<std::string>());
  return python_str(v);
}

}  // namespace

bool needs_rendering(std::string_view text) {
  return text.find("{{") != std::string_view::npos && text.find("}}") != std::string_view::npos;
}

std::string python_str(const value& v) {
  switch (v.type()) {
    case value::value_t::null:
      return "None";
    case value::value_t::boolean:
      return v.get<bool>() ? "True" : "False";
    case value::value_t::string:
      return v.get<std::string>();
    case value::value_t::number_float:
      return python_float(v.get<double>());
    case value::value_t::array: {
      std::string out = "[";
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += ", ";
        first = false;
        out += python_repr(e);
      }
      return out + "]";
    }
    case value::value_t::object: {
      std::string out = "{";
      bool first = true;
      for (const auto& [k, e] : v.items()) {
        if (!first) out += ", ";
        first = false;
        out += python_repr_string(k) + ": " + python_repr(e);
      }
      return out + "}";
    }
    default:
      return v.dump();
  }
}

std::variant<value, render_error> render_template(std::string_view text, const value& vars) {
  if (!needs_rendering(text)) return value(std::string(text));
  if (auto stmt = text.find("{%"); stmt != std::string_view::npos) {
    return render_error{stmt, "Jinja statements ({% %}) are not supported yet"};
  }
  struct piece {
    std::size_t start, end;  // of the whole {{ ... }} in text
  };
  std::vector<piece> pieces;
  for (std::size_t pos = 0;;) {
    const std::size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) break;
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) return render_error{open, "'{{' is never closed by '}}'"};
    pieces.push_back({open, close + 2});
    pos = close + 2;
  }
  if (pieces.size() == 1 && pieces[0].start == 0 && pieces[0].end == text.size()) {
    return evaluate(text.substr(2, text.size() - 4), 2, vars);
  }
  std::string out;
  std::size_t pos = 0;
  for (const auto& p : pieces) {
    out.append(text.substr(pos, p.start - pos));
    auto r = evaluate(text.substr(p.start + 2, p.end - p.start - 4), p.start + 2, vars);
    if (auto* err = std::get_if<render_error>(&r)) return *err;
    out += python_str(std::get<value>(r));
    pos = p.end;
  }
  out.append(text.substr(pos));
  return value(std::move(out));
}

}  // namespace rb::rulebook
