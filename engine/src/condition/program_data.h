// program_data: the compiled form of a condition or expression.
//
// A flat vector of small nodes that refer to each other by index (one allocation, good locality)
// plus side tables for constants, paths, regexes and select specs. Built once by the compiler,
// then only read by the evaluator; pointers into the tables stay valid for the program's life.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <re2/re2.h>

#include "condition/compare.h"
#include "condition/condition.h"
#include "condition/regex_cache.h"
#include "core/field_path.h"
#include "core/value.h"

namespace rb::condition {

enum class opcode : std::uint8_t {
  constant,      // aux: constants index
  subject_path,  // aux: paths index; resolved against scope::subject (event./fact.)
  bound_path,    // aux: paths index; resolved through scope::bound (events.<n>/facts.<n>)
  var_path,      // aux: paths index; resolved against scope::vars (templating)
  bound_all,     // `events` / `facts` alone (templating): an object of every binding
  list,          // a: first index into list_items, b: count
  and_, or_, not_,
  eq, ne, lt, le, gt, ge,
  add, sub, mul, div,
  in, not_in, contains, not_contains,
  is_defined,    // negated: is not defined
  search,        // a: tested, b: pattern node; aux: regexes index; negated: is not
  select,        // a: tested, b: value node; aux: selects index; negated: is not
  filter,        // template `x | f(...)`: a: input node; aux: filters index (template_filters.h)
  subscript,     // template `(x).key[0]`: a: the value; aux: subscripts index (steps into it)
  method,        // template `x.f(...)`: a: the receiver; aux: methods index (template_methods.h)
};

inline constexpr std::uint32_t no_node = 0xffffffffu;

struct node {
  opcode code = opcode::constant;
  bool negated = false;
  std::uint32_t a = no_node;
  std::uint32_t b = no_node;
  std::uint32_t aux = no_node;
};

struct path_ref {
  std::string bound_name;  // for bound paths; matched against binding names `n` or `events.n`
  std::string prefixed_name;  // `events.n` / `facts.n`
  field_path steps;
};

struct regex_ref {
  regex_mode mode = regex_mode::search;
  regex_flags flags;
  std::unique_ptr<RE2> compiled;  // set when the pattern is a literal
};

// The predicate that select/selectattr applies to each item.
enum class item_op : std::uint8_t {
  eq, ne, lt, le, gt, ge, match, search, in, not_in, contains, not_contains,
};

struct select_ref {
  item_op op = item_op::eq;
  bool has_attr = false;        // selectattr
  field_path attr;              // selectattr key, split on '.'
  std::unique_ptr<RE2> compiled;  // regex operators with a literal pattern
};

// One template filter application: which filter and its arguments bound to parameter slots.
struct filter_call {
  std::uint16_t id = 0;                // a filter of template_filters.cpp
  std::vector<std::uint32_t> args;     // one node per parameter; no_node: not given (default)
  std::unique_ptr<RE2> regex;          // regex_replace with a literal pattern and flags
};

// One method call in a template: which method (template_methods.cpp) and its arguments.
struct method_call {
  std::uint16_t id = 0;                // a method of template_methods.cpp
  std::vector<std::uint32_t> args;     // by parameter (no_node: not given); format: positional
  std::vector<std::string> keywords;   // keyword arguments: names ...
  std::vector<std::uint32_t> kw_args;  // ... and their nodes
};

struct program_data {
  std::vector<node> nodes;
  std::uint32_t root = no_node;
  std::vector<std::uint32_t> list_items;
  std::vector<value> constants;
  std::vector<path_ref> paths;
  std::vector<regex_ref> regexes;
  std::vector<select_ref> selects;
  std::vector<filter_call> filters;
  std::vector<field_path> subscripts;
  std::vector<method_call> methods;
};

}  // namespace rb::condition
