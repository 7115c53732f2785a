// ast: the parsed shape of a condition, before compilation.
//
// One node type with a kind tag keeps the parser and compiler short; every node remembers the
// 1-based column where it starts so the compiler can point at the offending part (an unknown
// variable, a bad select operator, an invalid regex).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/field_path.h"
#include "core/value.h"

namespace rb::condition {

enum class ast_kind : std::uint8_t {
  literal,      // value
  list,         // children: elements
  path,         // origin + steps
  logical,      // op = and/or; children[0..1]
  negate,       // `not` children[0]
  binary,       // comparison, membership or arithmetic; children[0..1]
  is_defined,   // children[0]; negated for `is not defined`
  search,       // children[0] is tested, children[1] the pattern; regex_kind, options
  select,       // children[0] is tested, children[1] the value; op_text
  selectattr,   // like select plus attr_key
  filter,       // template expressions: children[0] | op_text(children[1..]); arg_names
  subscript,    // template expressions: steps into the value of children[0], `(x | f).key`
  method_call,  // template expressions: children[0].op_text(children[1..]); arg_names
};

// Where a path starts. `bare` is an identifier without a prefix: a template variable in
// expressions (conditions turn bare words into strings before this point).
enum class path_origin : std::uint8_t { event, events, fact, facts, vars, bare };

enum class binary_op : std::uint8_t {
  and_, or_,
  eq, ne, lt, le, gt, ge,
  add, sub, mul, div,
  in, not_in, contains, not_contains,
};

enum class regex_kind : std::uint8_t { match, search, regex };

struct ast_node {
  ast_kind kind = ast_kind::literal;
  std::size_t column = 1;
  std::vector<std::unique_ptr<ast_node>> children;

  value literal;  // literal

  path_origin origin = path_origin::event;  // path
  std::string bound_name;                   // path: events.<bound_name>... / facts.<bound_name>
  field_path steps;                         // path: the rest after the prefix (and bound name)
                                            // subscript: the steps
  std::string spelling;                     // path, subscript: as written, for messages

  binary_op op = binary_op::eq;  // logical, binary
  bool negated = false;          // is not defined / is not match / is not select...

  regex_kind rx_kind = regex_kind::search;  // search
  bool ignorecase = false;
  bool multiline = false;

  std::string op_text;  // select / selectattr operator, as written
  std::size_t op_column = 1;
  std::string attr_key;  // selectattr key (dotted)
  std::size_t attr_column = 1;

  // filter, method_call: one entry per argument (children[1..]): the keyword, empty when
  // positional, and where the argument starts. op_text is the filter or method name, op_column
  // where it starts.
  std::vector<std::string> arg_names;
  std::vector<std::size_t> arg_columns;
};

using ast_ptr = std::unique_ptr<ast_node>;

// A parsed condition: `events.name << expr` sets the assignment fields.
struct parsed_condition {
  ast_ptr root;
  std::optional<std::string> assigned_name;
  path_origin assigned_origin = path_origin::events;
};

}  // namespace rb::condition
