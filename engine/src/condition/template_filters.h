// template_filters: the Jinja filters of action-argument templates (`{{ x | default('a') }}`).
//
// The parser turns `x | name(args)` into an ast_kind::filter node (template expressions only);
// the compiler calls bind_filter() to look the filter up and bind positional and keyword
// arguments to its parameters (unknown filters and arguments are compile errors); the evaluator
// calls eval_filter() for opcode::filter.
//
// Evaluation never throws. A filter that fails (`'x' | from_json`) leaves its result undefined
// and records why in eval_state(), which template.cpp reads to build the render error; an error
// recorded as `hard` is not hidden by `default`, as Jinja raises it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "condition/ast.h"
#include "condition/evaluator.h"
#include "condition/program_data.h"

namespace rb::condition {

// Looks up `a.op_text` and binds `args` (compiled nodes, one per a.children[1..]) to the filter's
// parameters. Throws rb::condition::error with the column of the offending part.
filter_call bind_filter(const ast_node& a, const std::vector<std::uint32_t>& args,
                        const program_data& d);

// Evaluates an opcode::filter node.
void eval_filter(const program_data& p, const node& nd, const scope& s, operand& out) noexcept;

// Why the last evaluation on this thread came out undefined, when a filter knows. Cleared by the
// renderer before each expression.
struct template_eval_state {
  std::string message;
  bool hard = false;  // an error Jinja raises (not an undefined value `default` may replace)
};
template_eval_state& eval_state() noexcept;

// Describes the first path under node `n` that does not resolve against scope::vars
// ("undefined name 'x'", "'x.y' is undefined"), skipping what `default` and `is defined` guard;
// empty when every path resolves.
std::string find_undefined_path(const program_data& p, std::uint32_t n, const scope& s);

// The names of the filters, for documentation and messages.
std::vector<std::string> filter_names();

}  // namespace rb::condition
