// Helpers for the matcher tests: build rules from condition text, feed events at simulated times
// and read firings back as "rule {matching events}" strings.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <initializer_list>
#include <string>
#include <vector>

#include "match/ruleset_matcher.h"

namespace mt {

using rb::value;
using namespace rb::match;
using namespace std::chrono_literals;

inline rb::condition::program cond(std::string_view text) {
  auto r = rb::condition::compile(text);
  if (auto* e = std::get_if<rb::condition::error>(&r)) {
    FAIL("compile failed for `" << text << "`: " << e->message);
  }
  return std::move(std::get<rb::condition::program>(r));
}

inline rule make(std::string name, rule_kind kind, std::initializer_list<std::string_view> texts) {
  rule r;
  r.name = std::move(name);
  r.kind = kind;
  for (auto t : texts) r.conditions.push_back(cond(t));
  return r;
}
inline rule single(std::string name, std::string_view text) {
  return make(std::move(name), rule_kind::single, {text});
}
inline rule all(std::string name, std::initializer_list<std::string_view> texts) {
  return make(std::move(name), rule_kind::all, texts);
}
inline rule any(std::string name, std::initializer_list<std::string_view> texts) {
  return make(std::move(name), rule_kind::any, texts);
}
inline rule not_all(std::string name, std::initializer_list<std::string_view> texts,
                    std::chrono::milliseconds timeout) {
  rule r = make(std::move(name), rule_kind::not_all, texts);
  r.timeout = timeout;
  return r;
}
inline rule constant(std::string name, bool v) {
  rule r;
  r.name = std::move(name);
  r.kind = rule_kind::constant;
  r.constant = v;
  return r;
}
inline rule with_timeout(rule r, std::chrono::milliseconds t) {
  r.timeout = t;
  return r;
}
inline rule throttled(rule r, throttle_spec::kind k, std::chrono::milliseconds window,
                      std::vector<std::string> group_by, long threshold = 1) {
  r.throttle = throttle_spec{k, window, threshold, std::move(group_by)};
  return r;
}

template <class... R>
std::vector<rule> rules(R... r) {
  std::vector<rule> v;
  (v.push_back(std::move(r)), ...);
  return v;
}

// A matcher on a simulated clock: t(seconds) is the time since start.
struct harness {
  ruleset_matcher m;
  rb::match::time_point t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1000);

  explicit harness(std::vector<rule> rs, bool mmr = false,
                   std::chrono::milliseconds ttl = std::chrono::hours(2))
      : m(std::move(rs), matcher_options{mmr, ttl}) {}

  rb::match::time_point at(double seconds) const {
    return t0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                    std::chrono::duration<double>(seconds));
  }

  std::vector<std::string> describe(const std::vector<firing>& out) const {
    std::vector<std::string> s;
    for (const auto& f : out)
      s.push_back(m.rules()[f.rule].name + " " + f.matching_events().dump());
    return s;
  }

  std::vector<std::string> event(std::string_view json, double seconds = 0) {
    std::vector<firing> out;
    m.on_event(value::parse(json), at(seconds), out);
    return describe(out);
  }
  std::vector<std::string> fact(std::string_view json, double seconds = 0) {
    std::vector<firing> out;
    m.assert_fact(value::parse(json), at(seconds), out);
    return describe(out);
  }
  std::vector<std::string> time(double seconds) {
    std::vector<firing> out;
    m.on_time(at(seconds), out);
    return describe(out);
  }
};

using strings = std::vector<std::string>;

}  // namespace mt
