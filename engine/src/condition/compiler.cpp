#include "condition/compiler.h"

#include <algorithm>

#include "condition/evaluator.h"
#include "condition/template_filters.h"
#include "condition/template_methods.h"
#include "core/excerpt.h"

namespace rb::condition {
namespace {

[[noreturn]] void fail(std::string message, std::size_t column) {
  throw error{std::move(message), column};
}

// ansible-rulebook renders string literals with Jinja against the variables at load time
// (substitute_variables). We support `{{ expression }}` with this module's own expression
// language: a string that is exactly one `{{ }}` keeps the value's type, as Jinja's native
// environment does; otherwise each `{{ }}` is replaced by its text.
value render_template(const std::string& s, const compile_options& options, std::size_t column) {
  if (s.find("{{") == std::string::npos || s.find("}}") == std::string::npos) return s;
  std::string out;
  std::size_t pos = 0;
  std::optional<value> single;
  std::size_t pieces = 0;
  bool literal_text = false;
  while (pos < s.size()) {
    const std::size_t open = s.find("{{", pos);
    if (open == std::string::npos) {
      out.append(s, pos, std::string::npos);
      literal_text = literal_text || s.find_first_not_of(" \t\n", pos) != std::string::npos;
      break;
    }
    if (s.find_first_not_of(" \t\n", pos) < open) literal_text = true;
    out.append(s, pos, open - pos);
    const std::size_t close = s.find("}}", open + 2);
    if (close == std::string::npos) fail("unterminated '{{' in the string", column);
    const std::string inner = s.substr(open + 2, close - open - 2);
    compiled c;
    try {
      c = compile_text(inner, options, parse_mode::expression);
    } catch (const error& e) {
      fail("in '{{" + abbreviate(inner) + "}}': " + e.message, column);
    }
    scope sc;
    sc.vars = options.vars;
    operand r;
    eval_value(c.data, c.data.root, sc, r);
    if (!r.defined()) fail("undefined variable in '{{" + abbreviate(inner) + "}}'", column);
    ++pieces;
    single = *r.ref;
    out += r.ref->is_string() ? r.ref->get_ref<const std::string&>() : r.ref->dump();
    pos = close + 2;
  }
  if (pieces == 1 && !literal_text) return *single;
  return out;
}

class compiler {
 public:
  compiler(program_data& d, const compile_options& opt, parse_mode mode)
      : d_(d), opt_(opt), mode_(mode) {}

  std::uint32_t compile(const ast_node& a) {
    switch (a.kind) {
      case ast_kind::literal:
        // Template expressions are rendered themselves; their literals stay as written.
        if (a.literal.is_string() && mode_ != parse_mode::template_expression)
          return constant(render_template(a.literal.get_ref<const std::string&>(), opt_, a.column));
        return constant(a.literal);
      case ast_kind::list: return compile_list(a);
      case ast_kind::path: return compile_path(a);
      case ast_kind::logical: {
        node n;
        n.code = a.op == binary_op::and_ ? opcode::and_ : opcode::or_;
        n.a = compile(*a.children[0]);
        n.b = compile(*a.children[1]);
        return emit(n);
      }
      case ast_kind::negate: {
        node n;
        n.code = opcode::not_;
        n.a = compile(*a.children[0]);
        return emit(n);
      }
      case ast_kind::binary: {
        node n;
        n.code = binary_code(a.op);
        n.a = compile(*a.children[0]);
        n.b = compile(*a.children[1]);
        return emit(n);
      }
      case ast_kind::is_defined: {
        node n;
        n.code = opcode::is_defined;
        n.negated = a.negated;
        n.a = compile(*a.children[0]);
        return emit(n);
      }
      case ast_kind::search: return compile_search(a);
      case ast_kind::select:
      case ast_kind::selectattr: return compile_select(a);
      case ast_kind::filter: return compile_filter(a);
      case ast_kind::method_call: return compile_method(a);
      case ast_kind::subscript: {
        node n;
        n.code = opcode::subscript;
        n.a = compile(*a.children[0]);
        d_.subscripts.push_back(a.steps);
        n.aux = static_cast<std::uint32_t>(d_.subscripts.size() - 1);
        return emit(n);
      }
    }
    fail("internal error: unknown syntax node", a.column);
  }

  bool uses_event = false, uses_fact = false;
  std::size_t event_column = 0, fact_column = 0;
  std::vector<std::string> referenced;

 private:
  std::uint32_t emit(const node& n) {
    d_.nodes.push_back(n);
    return static_cast<std::uint32_t>(d_.nodes.size() - 1);
  }

  std::uint32_t constant(value v) {
    d_.constants.push_back(std::move(v));
    node n;
    n.code = opcode::constant;
    n.aux = static_cast<std::uint32_t>(d_.constants.size() - 1);
    return emit(n);
  }

  bool is_constant(std::uint32_t n) const { return d_.nodes[n].code == opcode::constant; }
  const value& constant_of(std::uint32_t n) const { return d_.constants[d_.nodes[n].aux]; }

  static opcode binary_code(binary_op op) {
    switch (op) {
      case binary_op::eq: return opcode::eq;
      case binary_op::ne: return opcode::ne;
      case binary_op::lt: return opcode::lt;
      case binary_op::le: return opcode::le;
      case binary_op::gt: return opcode::gt;
      case binary_op::ge: return opcode::ge;
      case binary_op::add: return opcode::add;
      case binary_op::sub: return opcode::sub;
      case binary_op::mul: return opcode::mul;
      case binary_op::div: return opcode::div;
      case binary_op::in: return opcode::in;
      case binary_op::not_in: return opcode::not_in;
      case binary_op::contains: return opcode::contains;
      case binary_op::not_contains: return opcode::not_contains;
      case binary_op::and_: return opcode::and_;
      case binary_op::or_: return opcode::or_;
    }
    return opcode::eq;
  }

  std::uint32_t compile_list(const ast_node& a) {
    std::vector<std::uint32_t> items;
    bool all_constant = true;
    for (const auto& c : a.children) {
      items.push_back(compile(*c));
      all_constant = all_constant && is_constant(items.back());
    }
    if (all_constant) {
      // A literal list becomes one constant: nothing is built per event.
      value arr = value::array();
      for (auto i : items) arr.push_back(constant_of(i));
      return constant(std::move(arr));
    }
    node n;
    n.code = opcode::list;
    n.a = static_cast<std::uint32_t>(d_.list_items.size());
    n.b = static_cast<std::uint32_t>(items.size());
    d_.list_items.insert(d_.list_items.end(), items.begin(), items.end());
    return emit(n);
  }

  std::uint32_t compile_path(const ast_node& a) {
    path_ref ref;
    ref.steps = a.steps;
    node n;
    switch (a.origin) {
      case path_origin::vars:
        if (opt_.vars) {
          const value* v = resolve(*opt_.vars, a.steps);
          if (!v) fail("undefined variable '" + a.spelling + "'", a.column);
          return constant(*v);
        }
        if (mode_ == parse_mode::condition)
          fail("undefined variable '" + a.spelling + "' (no variables were given)", a.column);
        n.code = opcode::var_path;  // templating without compile-time vars: look up at run time
        break;
      case path_origin::bare: n.code = opcode::var_path; break;
      case path_origin::event:
      case path_origin::fact:
        n.code = opcode::subject_path;
        note_subject(a.origin, a.column);
        break;
      case path_origin::events:
      case path_origin::facts: {
        if (a.bound_name.empty()) {  // expressions only: `{{ events }}`
          n.code = opcode::bound_all;
          return emit(n);
        }
        if (!names_a_binding(a.bound_name)) {
          // ansible-rulebook's Drools layer: a prefix that names no binding is the start of the
          // subject's own field path (`events.x.y` reads the event's `x.y`).
          ref.steps.insert(ref.steps.begin(), {path_step::kind::key, a.bound_name, 0});
          n.code = opcode::subject_path;
          note_subject(a.origin == path_origin::events ? path_origin::event : path_origin::fact,
                       a.column);
          break;
        }
        n.code = opcode::bound_path;
        ref.bound_name = a.bound_name;
        ref.prefixed_name = (a.origin == path_origin::events ? "events." : "facts.") + a.bound_name;
        bool seen = false;
        for (const auto& r : referenced) seen = seen || r == a.bound_name;
        if (!seen) referenced.push_back(a.bound_name);
        break;
      }
    }
    d_.paths.push_back(std::move(ref));
    n.aux = static_cast<std::uint32_t>(d_.paths.size() - 1);
    return emit(n);
  }

  void note_subject(path_origin origin, std::size_t column) {
    if (origin == path_origin::event && !uses_event) uses_event = true, event_column = column;
    if (origin == path_origin::fact && !uses_fact) uses_fact = true, fact_column = column;
  }

  bool names_a_binding(const std::string& name) const {
    if (!opt_.bound_names) return true;
    const auto& names = *opt_.bound_names;
    return std::find(names.begin(), names.end(), name) != names.end();
  }

  std::unique_ptr<RE2> literal_regex(std::uint32_t pattern_node, regex_flags flags,
                                     const char* what, std::size_t column) {
    const value& v = constant_of(pattern_node);
    if (!v.is_string()) fail(std::string("the pattern of ") + what + " must be a string", column);
    std::string err;
    auto re = compile_regex(v.get_ref<const std::string&>(), flags, &err);
    if (!re) fail("invalid regular expression: " + err, column);
    return re;
  }

  std::uint32_t compile_search(const ast_node& a) {
    node n;
    n.code = opcode::search;
    n.negated = a.negated;
    n.a = compile(*a.children[0]);
    n.b = compile(*a.children[1]);
    regex_ref rx;
    rx.mode = a.rx_kind == regex_kind::match ? regex_mode::match : regex_mode::search;
    rx.flags.ignorecase = a.ignorecase;
    rx.flags.multiline = a.multiline;
    const char* what = a.rx_kind == regex_kind::match    ? "match()"
                       : a.rx_kind == regex_kind::search ? "search()"
                                                         : "regex()";
    if (is_constant(n.b)) rx.compiled = literal_regex(n.b, rx.flags, what, a.children[1]->column);
    d_.regexes.push_back(std::move(rx));
    n.aux = static_cast<std::uint32_t>(d_.regexes.size() - 1);
    return emit(n);
  }

  static item_op to_item_op(const std::string& op) {
    if (op == "==") return item_op::eq;
    if (op == "!=") return item_op::ne;
    if (op == "<") return item_op::lt;
    if (op == "<=") return item_op::le;
    if (op == ">") return item_op::gt;
    if (op == ">=") return item_op::ge;
    if (op == "match") return item_op::match;
    if (op == "in") return item_op::in;
    if (op == "not in") return item_op::not_in;
    if (op == "contains") return item_op::contains;
    if (op == "not contains") return item_op::not_contains;
    return item_op::search;  // search, regex (the parser has checked the list)
  }

  std::uint32_t compile_select(const ast_node& a) {
    node n;
    n.code = opcode::select;
    n.negated = a.negated;
    n.a = compile(*a.children[0]);
    n.b = compile(*a.children[1]);
    select_ref sel;
    sel.op = to_item_op(a.op_text);
    if (a.kind == ast_kind::selectattr) {
      sel.has_attr = true;
      std::size_t start = 0;
      for (;;) {
        const std::size_t dot = a.attr_key.find('.', start);
        const std::string part = a.attr_key.substr(start, dot - start);
        if (part.empty())
          fail("the selectattr key '" + a.attr_key + "' has an empty part", a.attr_column);
        sel.attr.push_back({path_step::kind::key, part, 0});
        if (dot == std::string::npos) break;
        start = dot + 1;
      }
    }
    if ((sel.op == item_op::match || sel.op == item_op::search) && is_constant(n.b))
      sel.compiled = literal_regex(n.b, {}, "a select regex operator", a.children[1]->column);
    d_.selects.push_back(std::move(sel));
    n.aux = static_cast<std::uint32_t>(d_.selects.size() - 1);
    return emit(n);
  }

  // `x | name(args)`: the filter is looked up and its arguments bound to parameters in
  // template_filters.cpp, which also implements it.
  std::uint32_t compile_filter(const ast_node& a) {
    return compile_call(a, opcode::filter, d_.filters,
                        [&](const auto& args) { return bind_filter(a, args, d_); });
  }

  // `x.name(args)`: the method is looked up (by name: the receiver's type is known only when
  // rendering) and its arguments checked in template_methods.cpp, which also implements it.
  std::uint32_t compile_method(const ast_node& a) {
    return compile_call(a, opcode::method, d_.methods,
                        [&](const auto& args) { return bind_method(a, args); });
  }

  // A call on the value of children[0] with children[1..] as arguments: the node points (aux)
  // at the bound call in `table`.
  template <class Table, class Bind>
  std::uint32_t compile_call(const ast_node& a, opcode code, Table& table, Bind bind) {
    node n;
    n.code = code;
    n.a = compile(*a.children[0]);
    std::vector<std::uint32_t> args;
    for (std::size_t i = 1; i < a.children.size(); ++i) args.push_back(compile(*a.children[i]));
    table.push_back(bind(args));
    n.aux = static_cast<std::uint32_t>(table.size() - 1);
    return emit(n);
  }

  program_data& d_;
  const compile_options& opt_;
  parse_mode mode_;
};

}  // namespace

compiled compile_text(std::string_view text, const compile_options& options, parse_mode mode) {
  parsed_condition parsed = parse(text, mode);
  compiled out;
  compiler c(out.data, options, mode);
  out.data.root = c.compile(*parsed.root);
  if (mode == parse_mode::condition && c.uses_event && c.uses_fact)
    fail("a condition tests either event. or fact., not both; bind one with '<<' in another "
         "condition and compare through events.<name> / facts.<name>",
         std::max(c.event_column, c.fact_column));
  out.assigned_name = std::move(parsed.assigned_name);
  out.subject = c.uses_fact ? subject_kind::fact : subject_kind::event;
  out.referenced_names = std::move(c.referenced);
  return out;
}

}  // namespace rb::condition
