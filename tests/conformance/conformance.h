// Conformance helpers: run one rulebook of tests/conformance/rulebooks with the real binary and
// an audit log, and read what happened as ansible-rulebook's tests do ("ruleset::rule::action").
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "harness.h"

namespace conformance {

using rb::value;
using strings = std::vector<std::string>;

struct outcome {
  rb::test::run_result run;
  std::vector<value> records;  // every audit record, in order
  // Action records as "rule::action" (ansible-rulebook's validate_events uses
  // "ruleset::rule::action"; rulesets are named where a test has several).
  strings actions() const {
    strings out;
    for (const auto& r : records)
      if (r.value("type", "") == "Action")
        out.push_back(r["rule"].get<std::string>() + "::" + r["action"].get<std::string>());
    return out;
  }
  strings actions_with_ruleset() const {
    strings out;
    for (const auto& r : records)
      if (r.value("type", "") == "Action")
        out.push_back(r["ruleset"].get<std::string>() + "::" + r["rule"].get<std::string>() +
                      "::" + r["action"].get<std::string>());
    return out;
  }
  // The Action records only.
  std::vector<value> action_records() const {
    std::vector<value> out;
    for (const auto& r : records)
      if (r.value("type", "") == "Action") out.push_back(r);
    return out;
  }
  bool out_has(const std::string& text) const { return run.out.find(text) != std::string::npos; }
  bool err_has(const std::string& text) const { return run.err.find(text) != std::string::npos; }
};

inline std::string rulebook_path(const std::string& name) {
  return rb::test::source_path("tests/conformance/rulebooks/" + name);
}

// Runs tests/conformance/rulebooks/<name> with `--audit-log` plus `args`.
inline outcome run(const std::string& name, std::vector<std::string> args = {},
                   std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  rb::test::temp_dir dir;
  const std::string audit = dir.path() + "/audit.jsonl";
  std::vector<std::string> all = {"-r", rulebook_path(name), "--audit-log", audit};
  all.insert(all.end(), args.begin(), args.end());
  outcome o;
  o.run = rb::test::run_rulebook(all, timeout);
  o.records = rb::test::read_jsonl(audit);
  INFO("stderr: " << o.run.err);
  CHECK_FALSE(o.run.timed_out);
  return o;
}

// An event without its top-level `meta`: what ansible-rulebook's tests compare once they have
// checked meta.
inline value without_meta(value v) {
  if (v.is_object()) v.erase("meta");
  return v;
}

// matching_events of a record, meta removed from each event.
inline value events_of(const value& record) {
  value out = value::object();
  const value& m = record["matching_events"];
  for (auto it = m.begin(); it != m.end(); ++it) out[it.key()] = without_meta(it.value());
  return out;
}

}  // namespace conformance
