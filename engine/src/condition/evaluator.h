// evaluator: runs program_data against a scope. Never throws; the common paths (paths,
// comparisons, literal regexes) do not allocate.
//
// Booleans are three-valued (compare.h): a missing attribute or an incompatible comparison is
// `unknown`, which `not` keeps and which never makes a condition match.
#pragma once

#include <optional>

#include "condition/program_data.h"

namespace rb::condition {

// The result of evaluating a value node: either a pointer into the event/program (no copy) or a
// value computed here (arithmetic, a comparison used as a value, a list with paths in it).
struct operand {
  const value* ref = nullptr;  // nullptr: undefined
  value own;

  void set_own(value v) noexcept {
    own = std::move(v);
    ref = &own;
  }
  bool defined() const noexcept { return ref != nullptr; }
};

tri eval_bool(const program_data& p, std::uint32_t n, const scope& s) noexcept;

// Fills `out`; leaves it undefined when something referenced is missing or an operation has no
// result (1 + "a", division by zero).
void eval_value(const program_data& p, std::uint32_t n, const scope& s, operand& out) noexcept;

}  // namespace rb::condition
