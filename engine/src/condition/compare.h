// compare: how condition operators compare JSON values, in place and without allocating.
//
// The rules follow ansible-rulebook's Drools engine: numbers compare across int/float (3 == 3.0);
// values of different types (3 and "3") are incompatible, and any comparison between them is
// `unknown`, which never matches, not even `!=`; null is compatible with everything (x == null,
// x != null work). Ordering (< <= > >=) exists for numbers, strings (byte order) and booleans.
#pragma once

#include <cstdint>

#include "core/value.h"

namespace rb::condition {

// Three-valued truth: `unknown` comes from missing attributes and incompatible types. `not`
// keeps it unknown, `and`/`or` follow Kleene logic, and a condition matches only on `yes`.
enum class tri : std::uint8_t { no, yes, unknown };

inline tri to_tri(bool b) noexcept { return b ? tri::yes : tri::no; }
inline tri negate(tri t) noexcept {
  return t == tri::unknown ? tri::unknown : (t == tri::yes ? tri::no : tri::yes);
}

enum class compare_op : std::uint8_t { eq, ne, lt, le, gt, ge };

// Equality as `==` sees it for compatible values; numbers compare numerically, containers deeply.
bool values_equal(const value& a, const value& b) noexcept;

// True when Drools would compare the two at all (null with anything, number with number, or the
// same JSON type).
bool compatible(const value& a, const value& b) noexcept;

// `a op b` with the type rules above.
tri compare(const value& a, compare_op op, const value& b) noexcept;

// `item in container` / `container contains item`: a list holds the item when an element equals
// it; anything else counts as a one-element list (so "abc" contains "abc", but not "b").
bool list_contains(const value& container, const value& item) noexcept;

}  // namespace rb::condition
