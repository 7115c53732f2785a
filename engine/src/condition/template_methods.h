// template_methods: Python methods of strings, lists and dicts in action-argument templates, as
// rulebooks call them through Jinja2 (`{{ event.host.split('.')[0] }}`,
// `{{ event.labels.get('team', 'ops') }}`, `{{ '{}-{}'.format(a, b) }}`).
//
// The parser turns `x.name(args)` into an ast_kind::method_call node (template expressions only);
// the compiler calls bind_method() to look the name up and check the arguments' count and
// keywords, so an unknown method (or one Jinja's sandbox refuses: private names, methods that
// modify their object) is a load error; the evaluator calls eval_method() for opcode::method.
//
// The receiver's type is known only when rendering: `count` and `index` exist on strings and
// lists, and a string method on an int is an error then ("'int object' has no attribute
// 'split'"), as Jinja reports it. A method that raises in Python (list.index of a missing item,
// str.split('')) leaves its result undefined and records a hard error in eval_state(), which
// `default` does not hide. keys(), values() and items() give lists (items: [key, value] pairs).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "condition/ast.h"
#include "condition/evaluator.h"
#include "condition/program_data.h"

namespace rb::condition {

// Looks up `a.op_text` and binds `args` (compiled nodes, one per a.children[1..]). Throws
// rb::condition::error with the column of the offending part.
method_call bind_method(const ast_node& a, const std::vector<std::uint32_t>& args);

// Evaluates an opcode::method node.
void eval_method(const program_data& p, const node& nd, const scope& s, operand& out) noexcept;

// The names of the methods, for documentation and messages.
std::vector<std::string> method_names();

}  // namespace rb::condition
