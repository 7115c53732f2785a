// Helpers for the rulebook loader tests: load a YAML text under a fixed file name and look for a
// diagnostic at an exact file:line:column whose message contains given words.
#pragma once

#include <doctest/doctest.h>

#include <initializer_list>
#include <iostream>
#include <string>

#include "rulebook/loader.h"

namespace rbt {

inline const std::string file = "rb.yml";

inline rb::rulebook::load_result load(const std::string& text,
                                      const rb::value& vars = rb::value::object()) {
  return rb::rulebook::load_text(text, file, vars);
}

inline std::string dump(const std::vector<rb::rulebook::diagnostic>& ds) {
  std::string out;
  for (const auto& d : ds) out += "  " + rb::rulebook::to_string(d) + "\n";
  return out;
}

// True when some diagnostic sits at `where` ("line:column") and mentions every word.
inline bool has(const std::vector<rb::rulebook::diagnostic>& ds, const std::string& where,
                std::initializer_list<std::string> words) {
  for (const auto& d : ds) {
    const std::string s = rb::rulebook::to_string(d);
    if (s.rfind(file + ":" + where + ": ", 0) != 0) continue;
    bool all = true;
    for (const auto& w : words) all = all && s.find(w) != std::string::npos;
    if (all) return true;
  }
  return false;
}

#define CHECK_ERROR(result, where, ...)               \
  do {                                                \
    const auto& r_ = (result);                        \
    INFO("errors:\n" << rbt::dump(r_.errors));        \
    CHECK(rbt::has(r_.errors, where, {__VA_ARGS__})); \
  } while (0)

#define CHECK_WARNING(result, where, ...)               \
  do {                                                  \
    const auto& r_ = (result);                          \
    INFO("warnings:\n" << rbt::dump(r_.warnings));      \
    CHECK(rbt::has(r_.warnings, where, {__VA_ARGS__})); \
  } while (0)

#define CHECK_OK(result)                       \
  do {                                         \
    const auto& r_ = (result);                 \
    INFO("errors:\n" << rbt::dump(r_.errors)); \
    CHECK(r_.ok());                            \
  } while (0)

// The smallest valid ruleset header, so error tests only spell out what they are about.
inline std::string ruleset_with_rules(const std::string& rules) {
  return "- name: rs\n"
         "  hosts: all\n"
         "  sources:\n"
         "    - eda.builtin.range:\n"
         "        limit: 5\n"
         "  rules:\n" +
         rules;
}

}  // namespace rbt
