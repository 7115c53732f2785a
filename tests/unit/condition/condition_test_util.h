// Helpers for the condition tests: compile or fail loudly, match against JSON text, get errors.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "condition/condition.h"

namespace ct {

using rb::value;
namespace rc = rb::condition;

inline rc::program compile_ok(std::string_view text, const value* vars = nullptr) {
  rc::compile_options opts;
  opts.vars = vars;
  auto r = rc::compile(text, opts);
  if (auto* e = std::get_if<rc::error>(&r)) {
    FAIL_CHECK("compile failed for `" << text << "`: " << e->message << " at column "
                                      << e->column);
    return std::get<rc::program>(rc::compile("true"));
  }
  return std::move(std::get<rc::program>(r));
}

inline rc::error compile_err(std::string_view text, const value* vars = nullptr) {
  rc::compile_options opts;
  opts.vars = vars;
  auto r = rc::compile(text, opts);
  if (auto* e = std::get_if<rc::error>(&r)) return *e;
  FAIL_CHECK("expected a compile error for `" << text << "`");
  return {};
}

// Does `cond` match the event given as JSON text?
inline bool match(std::string_view cond, std::string_view event_json, const value* vars = nullptr) {
  const auto p = compile_ok(cond, vars);
  const value ev = value::parse(event_json);
  return p.matches(rc::scope{&ev, {}, nullptr});
}

inline bool contains_text(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace ct
