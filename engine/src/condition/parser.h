// parser: tokens → AST by precedence climbing, following the operator table of
// ansible-rulebook's pyparsing grammar (condition_parser.py), loosest first:
//
//   <<  (assignment, only at the start of a condition)
//   and or          one level, left to right
//   not             prefix; applies to a whole membership/comparison expression
//   in, not in, contains, not contains   (keywords in any letter case)
//   is, is not      defined | match/search/regex(...) | select(...) | selectattr(...)
//   ==   then !=   then < >   then <=   then >=   (each its own level, as in pyparsing)
//   + -
//   * /
//   x | filter(...)    (template expressions only: binds tighter than any operator)
//   x.method(...)      (template expressions only: on a path or a computed value, chainable)
//
// Throws rb::condition::error (message + 1-based column); compile() catches it.
#pragma once

#include <string_view>

#include "condition/ast.h"

namespace rb::condition {

enum class parse_mode {
  condition,   // bare words are strings (ansible's plain_string); `<<` allowed at the start
  expression,  // bare identifiers are template variables; no `<<`
  // Action-argument templates (template.h): like `expression`, but every path starts with a
  // top-level name of the context (`event.x` is the path event.x, resolved against scope::vars),
  // and Jinja syntax is added: `| filter(args, key=value)` after an operand, method calls
  // `x.split(',')`, `none`/`None`,
  // `a.0` indexes, Python string escapes.
  template_expression,
};

parsed_condition parse(std::string_view text, parse_mode mode);

// The operators ansible-rulebook accepts inside select(...) and selectattr(...).
bool is_select_operator(std::string_view op);
bool is_selectattr_operator(std::string_view op);

}  // namespace rb::condition
