// convert: rb::value <-> Lua, without a JSON text round trip.
//
// JSON → Lua: object → table, array → table with the shared array metatable (so that an empty
// array stays an array on the way back), string → string, number → number, bool → boolean,
// null → the json.null sentinel (a light userdata).
// Lua → JSON: a table marked as array, or whose keys are exactly 1..n (n > 0), is an array; any
// other table, including an unmarked empty one, is an object. Integral numbers within int64 become
// integers, others floats; NaN/inf, invalid UTF-8, functions, cycles/too deep nesting and keys
// other than strings and numbers are errors (number keys become their decimal text, as Python's
// json.dumps does).
#pragma once

#include <lua.hpp>
#include <string>

#include "core/value.h"

namespace rb::sources::lua::detail {

// The json.null sentinel.
void push_null(lua_State* L);
bool is_null(lua_State* L, int idx);
// Creates the array metatable in the registry (once per state, at set-up).
void create_array_mt(lua_State* L);
// Marks the table at `idx` as a JSON array.
void mark_array(lua_State* L, int idx);

// Pushes `v`. Allocates, so may raise a Lua error (memory): call it in a protected context.
void push_value(lua_State* L, const value& v);

// Converts the Lua value at `idx` into `out`. Returns "" on success, else the error with the
// path of the offending part ("at .tags[2]: ..."). Raises only on a memory error (stack growth).
std::string to_value(lua_State* L, int idx, value& out);

// True when `s` is valid UTF-8 (what nlohmann::json needs to dump it).
bool valid_utf8(const char* s, std::size_t n) noexcept;

}  // namespace rb::sources::lua::detail
