#include "condition/may_match.h"

#include <cstdint>

#include "condition/evaluator.h"

namespace rb::condition {
namespace {

// A set of possible outcomes of a three-valued boolean.
using outcomes = std::uint8_t;
constexpr outcomes bit(tri t) noexcept { return static_cast<outcomes>(1u << static_cast<int>(t)); }
constexpr outcomes anything = bit(tri::no) | bit(tri::yes) | bit(tri::unknown);
constexpr tri all_tri[] = {tri::no, tri::yes, tri::unknown};

// The same truth tables as eval_bool.
tri and_of(tri l, tri r) noexcept {
  if (l == tri::no || r == tri::no) return tri::no;
  return (l == tri::yes && r == tri::yes) ? tri::yes : tri::unknown;
}
tri or_of(tri l, tri r) noexcept {
  if (l == tri::yes || r == tri::yes) return tri::yes;
  return (l == tri::no && r == tri::no) ? tri::no : tri::unknown;
}

template <class Op>
outcomes combine(outcomes l, outcomes r, Op op) noexcept {
  outcomes out = 0;
  for (tri a : all_tri)
    if (l & bit(a))
      for (tri b : all_tri)
        if (r & bit(b)) out |= bit(op(a, b));
  return out;
}

bool depends(const program_data& p, std::uint32_t n, std::vector<bool>& dep,
             std::vector<bool>& done) {
  if (n == no_node) return false;
  if (done[n]) return dep[n];
  const node& nd = p.nodes[n];
  bool d = false;
  switch (nd.code) {
    case opcode::bound_path:
    case opcode::bound_all:
      d = true;
      break;
    case opcode::list:
      for (std::uint32_t i = 0; i < nd.b; ++i)
        d = depends(p, p.list_items[nd.a + i], dep, done) || d;
      break;
    case opcode::constant:
    case opcode::subject_path:
    case opcode::var_path:
      break;
    case opcode::filter:
      d = depends(p, nd.a, dep, done);
      for (std::uint32_t arg : p.filters[nd.aux].args) d = depends(p, arg, dep, done) || d;
      break;
    case opcode::method:
      d = depends(p, nd.a, dep, done);
      for (std::uint32_t arg : p.methods[nd.aux].args) d = depends(p, arg, dep, done) || d;
      for (std::uint32_t arg : p.methods[nd.aux].kw_args) d = depends(p, arg, dep, done) || d;
      break;
    default:
      d = depends(p, nd.a, dep, done);
      d = depends(p, nd.b, dep, done) || d;
      break;
  }
  done[n] = true;
  dep[n] = d;
  return d;
}

outcomes possible(const program_data& p, const std::vector<bool>& dep, std::uint32_t n,
                  const scope& s) noexcept {
  if (!dep[n]) return bit(eval_bool(p, n, s));
  const node& nd = p.nodes[n];
  switch (nd.code) {
    case opcode::and_:
      return combine(possible(p, dep, nd.a, s), possible(p, dep, nd.b, s), and_of);
    case opcode::or_:
      return combine(possible(p, dep, nd.a, s), possible(p, dep, nd.b, s), or_of);
    case opcode::not_: {
      const outcomes in = possible(p, dep, nd.a, s);
      outcomes out = 0;
      for (tri t : all_tri)
        if (in & bit(t)) out |= bit(negate(t));
      return out;
    }
    default:
      return anything;
  }
}

}  // namespace

std::vector<bool> binding_dependence(const program_data& p) {
  std::vector<bool> dep(p.nodes.size(), false), done(p.nodes.size(), false);
  for (std::uint32_t n = 0; n < p.nodes.size(); ++n) depends(p, n, dep, done);
  return dep;
}

bool may_match(const program_data& p, const std::vector<bool>& dependent,
               const value& subject) noexcept {
  if (p.root == no_node) return false;
  const scope s{&subject, {}, nullptr};
  return possible(p, dependent, p.root, s) & bit(tri::yes);
}

}  // namespace rb::condition
