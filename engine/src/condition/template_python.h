// template_python: how Jinja, running on Python, prints and reads values. Used by action-argument
// templating (template.h) and its filters (template_filters.h).
//
// - str()/repr(): `None`, `True`, `{'a': [1, 'x']}`, floats as Python's shortest repr (`1e+16`,
//   `0.0001`, `1e-05`).
// - json.dumps(): ensure_ascii, `", "` and `": "` separators, `NaN`/`Infinity`.
// - Python string-literal escapes, for Jinja string literals.
// - ast.literal_eval(), which Jinja's NativeEnvironment applies to every rendered string.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/value.h"

namespace rb::condition::py {

// Python's str(v), appended to `out`: strings as they are, everything else as repr().
void append_str(std::string& out, const value& v);
std::string str(const value& v);
// Python's repr(v): strings quoted and escaped as Python does (`'a'`, `"it's"`, `'\n'`).
void append_repr(std::string& out, const value& v);
// repr() of a float: the shortest text that reads back to the same double.
std::string float_repr(double d);

// Python's name of the value's type: NoneType, bool, int, float, str, list, dict.
const char* type_name(const value& v) noexcept;
// Python truthiness: None, False, 0, 0.0, "", [] and {} are false.
bool truthy(const value& v) noexcept;
// Python's ==: numbers across int, float and bool (1 == 1.0 == True), lists item by item, dicts
// by their keys and values, anything else only with the same type.
bool equals(const value& a, const value& b) noexcept;

struct json_options {
  std::optional<std::string> indent;  // json.dumps(indent=...): newlines, "," separator
  bool sort_keys = false;
  bool html_safe = false;  // Jinja's tojson: <, >, & and ' as \u escapes
};
// json.dumps(v, ...) with ensure_ascii=True, appended to `out`.
void append_json(std::string& out, const value& v, const json_options& options);

// Decodes the backslash escapes of a Python string literal (the text between the quotes):
// \\ \' \" \a \b \f \n \r \t \v, octal \o \oo \ooo, \xhh, \uhhhh, \Uhhhhhhhh and a backslash at a
// line end; an unknown escape keeps its backslash. Appends to `out`; false (with `error`) for a
// malformed escape such as `\x4`.
bool decode_escapes(std::string_view raw, std::string& out, std::string* error);

// ast.literal_eval(text), as Jinja's NativeEnvironment applies it to rendered text: the value when
// `text` is a Python literal (numbers, strings, True/False/None, lists, tuples as lists, dicts),
// nullopt when Python would keep the text (or for the few literals JSON cannot hold: complex
// numbers, bytes, sets, integers beyond 64 bits, non-scalar dict keys).
std::optional<value> literal_eval(std::string_view text);

// UTF-8: the code point starting at `i` (U+FFFD for an invalid byte); advances `i`.
std::uint32_t decode_code_point(std::string_view s, std::size_t& i) noexcept;
void append_utf8(std::string& out, std::uint32_t cp);
// Python's len() of a str: code points.
std::size_t code_points(std::string_view s) noexcept;
// str.isspace() for one code point.
bool is_space(std::uint32_t cp) noexcept;
// str.lower() / str.upper() for one code point, for ASCII, Latin-1, Latin Extended-A, Greek and
// Cyrillic letters (Python maps all of Unicode; other scripts are left as they are).
std::uint32_t lower_cp(std::uint32_t cp) noexcept;
std::uint32_t upper_cp(std::uint32_t cp) noexcept;

}  // namespace rb::condition::py
