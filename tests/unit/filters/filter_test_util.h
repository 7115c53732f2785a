// Helpers for the filter tests: build a filter from JSON text, run one event through it, and
// compare results as compact JSON text so that key order is checked too.
#pragma once

#include <string>
#include <vector>

#include "core/value.h"
#include "filters/filter.h"

namespace rb::filters::test {

struct run_result {
  filter_result result;
  std::vector<value> out;
  // The output events as one JSON list, e.g. [{"a":1}].
  std::string text() const {
    value list = value::array();
    for (const auto& e : out) list.push_back(e);
    return list.dump();
  }
};

inline std::unique_ptr<event_filter> make(const std::string& name, const std::string& args_json) {
  return make_builtin_filter(name, args_json.empty() ? value() : value::parse(args_json));
}

inline run_result run(event_filter& f, const std::string& event_json) {
  run_result r;
  r.result = f.apply(value::parse(event_json), r.out);
  return r;
}

inline run_result run(const std::string& name, const std::string& args_json,
                      const std::string& event_json) {
  auto f = make(name, args_json);
  return run(*f, event_json);
}

// The expected output list, normalised to compact form so tests can write it readably.
inline std::string json(const std::string& text) { return value::parse(text).dump(); }

// The message of the filter_error that building the filter throws, or "" if it does not throw.
inline std::string build_error(const std::string& name, const std::string& args_json) {
  try {
    make(name, args_json);
  } catch (const filter_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace rb::filters::test
