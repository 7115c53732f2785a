#include "condition/template.h"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <optional>
#include <string_view>

#include "condition/compiler.h"
#include "condition/evaluator.h"
#include "condition/template_filters.h"
#include "condition/template_python.h"
#include "core/excerpt.h"
#include "core/field_path.h"

namespace rb::condition {
namespace template_detail {

// One `{{ expression }}`.
struct expr_slot {
  compiled c;
  std::string text;  // "{{ expression }}" as written (trimmed), for messages
};

// A piece of a rendered string: literal text, or an expression (index into impl::exprs).
struct part {
  std::string text;
  std::int32_t expr = -1;
};

struct string_slot {
  bool native = false;      // one expression and nothing else: its value, not its text
  std::vector<part> parts;  // native: exactly one expression part
  std::string path;         // where the string sits in the tree, for messages
};

// The compiled tree mirrors the value tree only where something is rendered; every subtree
// without templates is one `constant` node pointing into impl::tree.
struct tnode {
  enum class kind : std::uint8_t { constant, object, array, string };
  kind k = kind::constant;
  const value* src = nullptr;   // constant: the subtree; object: its keys
  std::vector<tnode> children;  // object members / array items, in order
  std::uint32_t slot = 0;       // string: index into impl::strings
};

}  // namespace template_detail

using namespace template_detail;

class compiled_template::impl {
 public:
  value tree;
  tnode root;
  std::vector<string_slot> strings;
  std::vector<expr_slot> exprs;
  std::vector<std::string> names;
};

namespace {

// Jinja's `\s` for whitespace control.
bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string normalize_newlines(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      out += '\n';
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The "}}" that closes an expression starting at `from`, skipping string literals.
std::size_t find_close(std::string_view s, std::size_t from) {
  for (std::size_t i = from; i + 1 < s.size(); ++i) {
    const char c = s[i];
    if (c == '\'' || c == '"') {
      std::size_t j = i + 1;
      while (j < s.size() && s[j] != c) j += s[j] == '\\' ? 2 : 1;
      if (j >= s.size()) return s.find("}}", from);  // unterminated: the lexer reports it
      i = j;
      continue;
    }
    if (c == '}' && s[i + 1] == '}') return i;
  }
  return std::string_view::npos;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ws(s.back())) s.remove_suffix(1);
  return s;
}

constexpr const char* no_value_message =
    "the expression has no value (an operation on values of incompatible types, such as "
    "1 + 'a' or 3 == '3', or a division by zero)";

// Evaluates one expression; on failure explains what was undefined and where.
bool eval_expr(const expr_slot& e, const std::string& where, const scope& sc, operand& r,
               std::string& err) {
  template_eval_state& st = eval_state();
  st.message.clear();
  st.hard = false;
  eval_value(e.c.data, e.c.data.root, sc, r);
  if (r.defined()) return true;
  std::string why = st.message;
  if (why.empty()) why = find_undefined_path(e.c.data, e.c.data.root, sc);
  if (why.empty()) why = no_value_message;
  err = why + " (in " + (where.empty() ? "" : where + ": ") + e.text + ")";
  return false;
}

// NativeEnvironment reads a rendered string back as a Python literal when it is one.
value finish_text(std::string&& text) {
  if (auto v = py::literal_eval(text)) return std::move(*v);
  return value(std::move(text));
}

value finish_native(operand& r) {
  if (r.ref->is_string()) {
    if (auto v = py::literal_eval(r.ref->get_ref<const std::string&>())) return std::move(*v);
  }
  if (r.ref == &r.own) return std::move(r.own);
  return *r.ref;
}

class builder {
 public:
  explicit builder(compiled_template::impl& im) : im_(im) {}

  tnode build(value& v, field_path& path) {
    tnode n;
    n.src = &v;
    if (v.is_string()) {
      if (!needs_rendering(v.get_ref<const std::string&>())) return n;
      std::optional<value> folded;
      const std::uint32_t slot = compile_string(v.get_ref<const std::string&>(), path, folded);
      if (folded) {
        v = std::move(*folded);
        return n;
      }
      n.k = tnode::kind::string;
      n.slot = slot;
      return n;
    }
    if (v.is_object()) {
      bool all_constant = true;
      for (auto& [key, child] : v.get_ref<value::object_t&>()) {
        path.push_back({path_step::kind::key, key, 0});
        n.children.push_back(build(child, path));
        path.pop_back();
        all_constant = all_constant && n.children.back().k == tnode::kind::constant;
      }
      if (all_constant)
        n.children.clear();
      else
        n.k = tnode::kind::object;
      return n;
    }
    if (v.is_array()) {
      bool all_constant = true;
      long index = 0;
      for (auto& child : v.get_ref<value::array_t&>()) {
        path.push_back({path_step::kind::index, {}, index++});
        n.children.push_back(build(child, path));
        path.pop_back();
        all_constant = all_constant && n.children.back().k == tnode::kind::constant;
      }
      if (all_constant)
        n.children.clear();
      else
        n.k = tnode::kind::array;
      return n;
    }
    return n;
  }

 private:
  [[noreturn]] static void fail(const field_path& path, std::size_t offset, std::string message) {
    throw template_error{to_string(path), offset, std::move(message)};
  }

  struct raw_piece {
    bool is_expr = false;
    bool is_marker = false;  // an expression or a comment: may strip whitespace around it
    bool lstrip = false, rstrip = false;
    std::string text;  // text, or the expression's source
    std::size_t offset = 0;
  };

  // Splits a template the way Jinja's lexer does: text, `{{ expr }}`, `{# comment #}`, with `-`
  // whitespace control; `{% %}` statements are rejected.
  std::vector<raw_piece> split(std::string_view s, const field_path& path) {
    // Jinja drops one trailing newline (keep_trailing_newline=False).
    if (s.size() >= 2 && s.substr(s.size() - 2) == "\r\n")
      s.remove_suffix(2);
    else if (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
      s.remove_suffix(1);
    std::vector<raw_piece> pieces;
    std::size_t pos = 0;
    while (pos <= s.size()) {
      std::size_t start = std::string_view::npos;
      for (std::string_view opener : {"{{", "{%", "{#"})
        start = std::min(start, s.find(opener, pos));
      raw_piece text;
      text.text = std::string(s.substr(pos, start == std::string_view::npos ? start : start - pos));
      pieces.push_back(std::move(text));
      if (start == std::string_view::npos) break;
      const char kind = s[start + 1];
      if (kind == '%')
        fail(path, start,
             "Jinja statements ('{% ... %}') are not supported; only '{{ expression }}' is");
      raw_piece marker;
      marker.is_marker = true;
      marker.offset = start;
      std::size_t b = start + 2;
      if (b < s.size() && s[b] == '-') {
        marker.lstrip = true;
        ++b;
      }
      if (kind == '#') {
        const std::size_t close = s.find("#}", b);
        if (close == std::string_view::npos)
          fail(path, start, "the comment '{#' is not closed by '#}'");
        marker.rstrip = close > b && s[close - 1] == '-';
        pieces.push_back(std::move(marker));
        pos = close + 2;
        continue;
      }
      const std::size_t close = find_close(s, b);
      if (close == std::string_view::npos) fail(path, start, "'{{' is not closed by '}}'");
      std::size_t e = close;
      if (e > b && s[e - 1] == '-') {
        marker.rstrip = true;
        --e;
      }
      marker.is_expr = true;
      marker.offset = b;
      marker.text = std::string(s.substr(b, e - b));
      pieces.push_back(std::move(marker));
      pos = close + 2;
    }
    // Whitespace control strips the neighbouring text.
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      if (!pieces[i].is_marker) continue;
      if (pieces[i].lstrip && i > 0 && !pieces[i - 1].is_marker) {
        std::string& t = pieces[i - 1].text;
        while (!t.empty() && is_ws(t.back())) t.pop_back();
      }
      if (pieces[i].rstrip && i + 1 < pieces.size() && !pieces[i + 1].is_marker) {
        std::string& t = pieces[i + 1].text;
        std::size_t k = 0;
        while (k < t.size() && is_ws(t[k])) ++k;
        t.erase(0, k);
      }
    }
    return pieces;
  }

  std::int32_t compile_expr(const raw_piece& p, const field_path& path) {
    const std::string_view body = trim(p.text);
    if (body.empty()) fail(path, p.offset, "empty expression in '{{ }}'");
    expr_slot e;
    try {
      e.c = compile_text(p.text, compile_options{}, parse_mode::template_expression);
    } catch (const error& err) {
      std::string message = err.message;  // the shared lexer speaks of conditions
      for (std::size_t at; (at = message.find("end of condition")) != std::string::npos;)
        message.replace(at, 16, "end of expression");
      fail(path, p.offset + (err.column > 0 ? err.column - 1 : 0), std::move(message));
    }
    e.text = "{{ " + abbreviate(body) + " }}";  // for messages: a long one is cut
    im_.exprs.push_back(std::move(e));
    return static_cast<std::int32_t>(im_.exprs.size() - 1);
  }

  // An expression that names nothing has the same value every time: compute it now. One that
  // cannot be computed would fail every render, so it is reported now.
  std::optional<value> fold(std::int32_t index, const raw_piece& p, const field_path& path) {
    const expr_slot& e = im_.exprs[static_cast<std::size_t>(index)];
    if (!e.c.data.paths.empty()) return std::nullopt;
    const value empty = value::object();
    scope sc;
    sc.vars = &empty;
    operand r;
    std::string err;
    if (!eval_expr(e, "", sc, r, err)) fail(path, p.offset, err.substr(0, err.rfind(" (in ")));
    if (r.ref == &r.own) return std::move(r.own);
    return *r.ref;
  }

  std::uint32_t compile_string(const std::string& s, const field_path& path,
                               std::optional<value>& folded) {
    const std::vector<raw_piece> pieces = split(s, path);
    string_slot slot;
    slot.path = to_string(path);
    std::size_t exprs = 0, texts = 0;
    for (const auto& p : pieces) {
      if (p.is_expr)
        ++exprs;
      else if (!p.is_marker && !p.text.empty())
        ++texts;
    }
    if (exprs + texts == 0) {  // only comments: Jinja's native_concat gives None
      folded = value();
      return 0;
    }
    slot.native = exprs == 1 && texts == 0;
    bool all_folded = true;
    for (const auto& p : pieces) {
      if (p.is_marker && !p.is_expr) continue;
      if (!p.is_expr) {
        if (p.text.empty()) continue;
        if (slot.parts.empty() || slot.parts.back().expr >= 0) slot.parts.push_back({});
        slot.parts.back().text += normalize_newlines(p.text);
        continue;
      }
      const std::int32_t index = compile_expr(p, path);
      std::optional<value> constant = fold(index, p, path);
      if (!constant) {
        all_folded = false;
        slot.parts.push_back({{}, index});
        continue;
      }
      im_.exprs.pop_back();  // folded: not needed at render time
      if (slot.native) {
        operand r;
        r.set_own(std::move(*constant));
        folded = finish_native(r);
        return 0;
      }
      if (slot.parts.empty() || slot.parts.back().expr >= 0) slot.parts.push_back({});
      py::append_str(slot.parts.back().text, *constant);
    }
    if (all_folded) {
      folded = finish_text(std::move(slot.parts.front().text));
      return 0;
    }
    for (const auto& p : slot.parts) {
      if (p.expr < 0) continue;
      for (const auto& ref : im_.exprs[static_cast<std::size_t>(p.expr)].c.data.paths) {
        if (ref.steps.empty() || ref.steps[0].type != path_step::kind::key) continue;
        const std::string& name = ref.steps[0].key;
        if (std::find(im_.names.begin(), im_.names.end(), name) == im_.names.end())
          im_.names.push_back(name);
      }
    }
    im_.strings.push_back(std::move(slot));
    return static_cast<std::uint32_t>(im_.strings.size() - 1);
  }

  compiled_template::impl& im_;
};

class renderer {
 public:
  renderer(const compiled_template::impl& im, const value& context) : im_(im) {
    sc_.vars = &context;
  }

  bool render(const tnode& n, value& out) {
    switch (n.k) {
      case tnode::kind::constant: out = *n.src; return true;
      case tnode::kind::string: return render_string(im_.strings[n.slot], out);
      case tnode::kind::object: {
        out = value::object();
        auto& members = out.get_ref<value::object_t&>();
        members.reserve(n.children.size());
        std::size_t i = 0;
        for (const auto& [key, unused] : n.src->get_ref<const value::object_t&>()) {
          (void)unused;
          value child;
          if (!render(n.children[i++], child)) return false;
          members.emplace_back(key, std::move(child));  // keys are unique already
        }
        return true;
      }
      case tnode::kind::array: {
        out = value::array();
        auto& items = out.get_ref<value::array_t&>();
        items.reserve(n.children.size());
        for (const auto& child : n.children) {
          items.emplace_back();
          if (!render(child, items.back())) return false;
        }
        return true;
      }
    }
    return false;
  }

  std::string error;

 private:
  bool render_string(const string_slot& slot, value& out) {
    if (slot.native) {
      operand r;
      if (!eval_expr(im_.exprs[static_cast<std::size_t>(slot.parts[0].expr)], slot.path, sc_, r,
                     error))
        return false;
      out = finish_native(r);
      return true;
    }
    std::string text;
    for (const auto& p : slot.parts) {
      if (p.expr < 0) {
        text += p.text;
        continue;
      }
      operand r;
      if (!eval_expr(im_.exprs[static_cast<std::size_t>(p.expr)], slot.path, sc_, r, error))
        return false;
      py::append_str(text, *r.ref);
    }
    out = finish_text(std::move(text));
    return true;
  }

  const compiled_template::impl& im_;
  scope sc_;
};

std::shared_ptr<const compiled_template::impl> empty_impl() {
  static const auto empty = std::make_shared<const compiled_template::impl>();
  return empty;
}

}  // namespace

bool needs_rendering(std::string_view text) noexcept {
  return text.find("{{") != std::string_view::npos && text.find("}}") != std::string_view::npos;
}

compiled_template::compiled_template() : impl_(empty_impl()) {}

compiled_template::compiled_template(std::shared_ptr<const impl> impl) noexcept
    : impl_(std::move(impl)) {}

std::variant<value, std::string> compiled_template::render(const value& context) const {
  try {
    if (impl_->root.k == tnode::kind::constant) return impl_->tree;
    renderer r(*impl_, context);
    value out;
    if (!r.render(impl_->root, out)) return std::move(r.error);
    return out;
  } catch (const std::exception& e) {
    return std::string("rendering failed: ") + e.what();
  } catch (...) {
    return std::string("rendering failed");
  }
}

bool compiled_template::is_constant() const noexcept {
  return impl_->root.k == tnode::kind::constant;
}

const std::vector<std::string>& compiled_template::referenced_names() const noexcept {
  return impl_->names;
}

const value& compiled_template::tree() const noexcept { return impl_->tree; }

std::variant<compiled_template, template_error> compile_template(const value& tree) {
  try {
    auto im = std::make_shared<compiled_template::impl>();
    im->tree = tree;
    field_path path;
    builder b(*im);
    im->root = b.build(im->tree, path);
    return compiled_template(std::move(im));
  } catch (const template_error& e) {
    return e;
  } catch (const std::exception& e) {
    return template_error{"", 0, std::string("internal error: ") + e.what()};
  }
}

}  // namespace rb::condition
