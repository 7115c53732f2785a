#include "condition/evaluator.h"

#include <cstdint>

#include "condition/template_filters.h"
#include "condition/template_methods.h"

namespace rb::condition {
namespace {

const value* find_binding(const path_ref& p, const scope& s) noexcept {
  for (const auto& [name, v] : s.bound)
    if (name == p.bound_name || name == p.prefixed_name) return v;
  return nullptr;
}

const value* resolve_path(const program_data& p, const node& nd, const scope& s) noexcept {
  const path_ref& ref = p.paths[nd.aux];
  const value* root = nullptr;
  switch (nd.code) {
    case opcode::subject_path: root = s.subject; break;
    case opcode::bound_path: root = find_binding(ref, s); break;
    case opcode::var_path: root = s.vars; break;
    default: return nullptr;
  }
  return root ? resolve(*root, ref.steps) : nullptr;
}

bool is_value_node(opcode c) noexcept {
  switch (c) {
    case opcode::constant:
    case opcode::subject_path:
    case opcode::bound_path:
    case opcode::var_path:
    case opcode::bound_all:
    case opcode::list:
    case opcode::filter:
    case opcode::subscript:
    case opcode::method:
    case opcode::add:
    case opcode::sub:
    case opcode::mul:
    case opcode::div: return true;
    default: return false;
  }
}

// JSON parsing stores non-negative integers as unsigned; both kinds count when they fit int64.
bool as_int64(const value& v, value::number_integer_t& out) noexcept {
  if (v.type() == value::value_t::number_integer) {
    out = v.get_ref<const value::number_integer_t&>();
    return true;
  }
  if (v.type() == value::value_t::number_unsigned) {
    const auto u = v.get_ref<const value::number_unsigned_t&>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) return false;
    out = static_cast<value::number_integer_t>(u);
    return true;
  }
  return false;
}

// Both integers that fit int64: exact, with overflow falling back to double.
void arithmetic(opcode op, const value& x, const value& y, operand& out) noexcept {
  if (op == opcode::add && x.is_string() && y.is_string()) {
    try {
      out.set_own(x.get_ref<const std::string&>() + y.get_ref<const std::string&>());
    } catch (...) {
    }
    return;
  }
  if (!x.is_number() || !y.is_number()) return;
  value::number_integer_t ia, ib;
  if (op != opcode::div && as_int64(x, ia) && as_int64(y, ib)) {
    value::number_integer_t r;
    const bool overflow = op == opcode::add   ? __builtin_add_overflow(ia, ib, &r)
                          : op == opcode::sub ? __builtin_sub_overflow(ia, ib, &r)
                                              : __builtin_mul_overflow(ia, ib, &r);
    if (!overflow) {
      out.set_own(value(r));
      return;
    }
  }
  const double a = x.get<double>(), b = y.get<double>();
  switch (op) {
    case opcode::add: out.set_own(value(a + b)); break;
    case opcode::sub: out.set_own(value(a - b)); break;
    case opcode::mul: out.set_own(value(a * b)); break;
    case opcode::div:
      if (b != 0) out.set_own(value(a / b));  // Python's true division; x / 0 has no value
      break;
    default: break;
  }
}

const RE2* item_regex(const select_ref& sel, const value& pattern) noexcept {
  if (sel.compiled) return sel.compiled.get();
  if (!pattern.is_string()) return nullptr;
  return cached_regex(pattern.get_ref<const std::string&>(), {});
}

// One item of select/selectattr: a plain yes/no (an item that cannot be compared fails the test).
bool item_test(const select_ref& sel, const value* item, const value& arg) noexcept {
  if (!item) return false;
  switch (sel.op) {
    case item_op::eq: return compare(*item, compare_op::eq, arg) == tri::yes;
    case item_op::ne: return compare(*item, compare_op::ne, arg) == tri::yes;
    case item_op::lt: return compare(*item, compare_op::lt, arg) == tri::yes;
    case item_op::le: return compare(*item, compare_op::le, arg) == tri::yes;
    case item_op::gt: return compare(*item, compare_op::gt, arg) == tri::yes;
    case item_op::ge: return compare(*item, compare_op::ge, arg) == tri::yes;
    case item_op::match:
    case item_op::search: {
      const RE2* re = item_regex(sel, arg);
      if (!re) return false;
      const auto mode = sel.op == item_op::match ? regex_mode::match : regex_mode::search;
      return regex_test(*re, mode, item) == tri::yes;
    }
    case item_op::in: return list_contains(arg, *item);
    case item_op::not_in: return !list_contains(arg, *item);
    case item_op::contains: return list_contains(*item, arg);
    case item_op::not_contains: return !list_contains(*item, arg);
  }
  return false;
}

tri eval_select(const program_data& p, const node& nd, const scope& s) noexcept {
  operand tested, arg;
  eval_value(p, nd.a, s, tested);
  if (!tested.defined()) return tri::unknown;
  eval_value(p, nd.b, s, arg);
  if (!arg.defined()) return tri::unknown;
  const select_ref& sel = p.selects[nd.aux];
  auto test = [&](const value& item) {
    const value* x = &item;
    if (sel.has_attr) x = item.is_object() ? resolve(item, sel.attr) : nullptr;
    return item_test(sel, x, *arg.ref);
  };
  // A single object counts as a one-element list. `is not` holds when not every item passes
  // (Drools: !allMatch), which for one item is simply the negation.
  const value& t = *tested.ref;
  if (!t.is_array()) return to_tri(test(t) != nd.negated);
  if (!nd.negated) {
    for (const auto& item : t)
      if (test(item)) return tri::yes;
    return tri::no;
  }
  for (const auto& item : t)
    if (!test(item)) return tri::yes;
  return tri::no;
}

tri eval_search(const program_data& p, const node& nd, const scope& s) noexcept {
  operand tested;
  eval_value(p, nd.a, s, tested);
  if (!tested.defined()) return tri::unknown;
  const regex_ref& rx = p.regexes[nd.aux];
  const RE2* re = rx.compiled.get();
  if (!re) {
    operand pattern;
    eval_value(p, nd.b, s, pattern);
    if (!pattern.defined() || !pattern.ref->is_string()) return tri::unknown;
    re = cached_regex(pattern.ref->get_ref<const std::string&>(), rx.flags);
    if (!re) return tri::unknown;
  }
  const tri r = regex_test(*re, rx.mode, tested.ref);
  return nd.negated ? negate(r) : r;
}

// `x in [a, b, c]` with paths in the list: test each element without building the list.
tri in_list_node(const program_data& p, const node& list, const value& item,
                 const scope& s) noexcept {
  for (std::uint32_t i = 0; i < list.b; ++i) {
    operand e;
    eval_value(p, p.list_items[list.a + i], s, e);
    if (e.defined() && values_equal(*e.ref, item)) return tri::yes;
  }
  return tri::no;
}

tri eval_membership(const program_data& p, const node& nd, const scope& s) noexcept {
  const bool item_left = nd.code == opcode::in || nd.code == opcode::not_in;
  const bool negated = nd.code == opcode::not_in || nd.code == opcode::not_contains;
  const std::uint32_t item_n = item_left ? nd.a : nd.b;
  const std::uint32_t list_n = item_left ? nd.b : nd.a;
  operand item;
  eval_value(p, item_n, s, item);
  if (!item.defined()) return tri::unknown;
  tri r;
  if (p.nodes[list_n].code == opcode::list) {
    r = in_list_node(p, p.nodes[list_n], *item.ref, s);
  } else {
    operand container;
    eval_value(p, list_n, s, container);
    if (!container.defined()) return tri::unknown;
    r = to_tri(list_contains(*container.ref, *item.ref));
  }
  return negated ? negate(r) : r;
}

}  // namespace

void eval_value(const program_data& p, std::uint32_t n, const scope& s, operand& out) noexcept {
  const node& nd = p.nodes[n];
  switch (nd.code) {
    case opcode::constant: out.ref = &p.constants[nd.aux]; return;
    case opcode::subject_path:
    case opcode::bound_path:
    case opcode::var_path: out.ref = resolve_path(p, nd, s); return;
    case opcode::bound_all: {
      try {
        value obj = value::object();
        for (const auto& [name, v] : s.bound) {
          if (!v) continue;
          std::string_view key = name;
          for (std::string_view prefix : {"events.", "facts."})
            if (key.substr(0, prefix.size()) == prefix) key.remove_prefix(prefix.size());
          obj[std::string(key)] = *v;
        }
        out.set_own(std::move(obj));
      } catch (...) {
      }
      return;
    }
    case opcode::list: {
      try {
        value arr = value::array();
        for (std::uint32_t i = 0; i < nd.b; ++i) {
          operand e;
          eval_value(p, p.list_items[nd.a + i], s, e);
          if (!e.defined()) return;  // a list with an undefined element is undefined
          arr.push_back(*e.ref);
        }
        out.set_own(std::move(arr));
      } catch (...) {
      }
      return;
    }
    case opcode::filter: eval_filter(p, nd, s, out); return;
    case opcode::method: eval_method(p, nd, s, out); return;
    case opcode::subscript: {
      operand x;
      eval_value(p, nd.a, s, x);
      if (!x.defined()) return;
      const value* v = resolve(*x.ref, p.subscripts[nd.aux]);
      if (!v) return;
      if (x.ref != &x.own) {
        out.ref = v;
        return;
      }
      try {
        out.set_own(value(*v));
      } catch (...) {
      }
      return;
    }
    case opcode::add:
    case opcode::sub:
    case opcode::mul:
    case opcode::div: {
      operand x, y;
      eval_value(p, nd.a, s, x);
      if (!x.defined()) return;
      eval_value(p, nd.b, s, y);
      if (!y.defined()) return;
      arithmetic(nd.code, *x.ref, *y.ref, out);
      return;
    }
    default: {
      const tri t = eval_bool(p, n, s);
      if (t != tri::unknown) out.set_own(value(t == tri::yes));
      return;
    }
  }
}

tri eval_bool(const program_data& p, std::uint32_t n, const scope& s) noexcept {
  const node& nd = p.nodes[n];
  switch (nd.code) {
    case opcode::and_: {
      const tri l = eval_bool(p, nd.a, s);
      if (l == tri::no) return tri::no;
      const tri r = eval_bool(p, nd.b, s);
      if (r == tri::no) return tri::no;
      return (l == tri::yes && r == tri::yes) ? tri::yes : tri::unknown;
    }
    case opcode::or_: {
      const tri l = eval_bool(p, nd.a, s);
      if (l == tri::yes) return tri::yes;
      const tri r = eval_bool(p, nd.b, s);
      if (r == tri::yes) return tri::yes;
      return (l == tri::no && r == tri::no) ? tri::no : tri::unknown;
    }
    case opcode::not_: return negate(eval_bool(p, nd.a, s));
    case opcode::eq:
    case opcode::ne:
    case opcode::lt:
    case opcode::le:
    case opcode::gt:
    case opcode::ge: {
      operand x, y;
      eval_value(p, nd.a, s, x);
      if (!x.defined()) return tri::unknown;
      eval_value(p, nd.b, s, y);
      if (!y.defined()) return tri::unknown;
      const compare_op op = nd.code == opcode::eq   ? compare_op::eq
                            : nd.code == opcode::ne ? compare_op::ne
                            : nd.code == opcode::lt ? compare_op::lt
                            : nd.code == opcode::le ? compare_op::le
                            : nd.code == opcode::gt ? compare_op::gt
                                                    : compare_op::ge;
      return compare(*x.ref, op, *y.ref);
    }
    case opcode::in:
    case opcode::not_in:
    case opcode::contains:
    case opcode::not_contains: return eval_membership(p, nd, s);
    case opcode::is_defined: {
      operand x;
      eval_value(p, nd.a, s, x);
      return to_tri(x.defined() != nd.negated);
    }
    case opcode::search: return eval_search(p, nd, s);
    case opcode::select: return eval_select(p, nd, s);
    default: break;
  }
  if (!is_value_node(nd.code)) return tri::unknown;
  // A value used as a condition (`event.enabled`): only a boolean decides.
  operand x;
  eval_value(p, n, s, x);
  if (!x.defined() || !x.ref->is_boolean()) return tri::unknown;
  return to_tri(x.ref->get_ref<const bool&>());
}

}  // namespace rb::condition
