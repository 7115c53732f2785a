// http_expect: the conditions an HTTP check's response must meet (Gatus-style), read from an
// `expect` mapping and evaluated against one response. Each failed condition is reported by name
// with what was expected and what came, so a heartbeat says why a check failed.
//
//   status: 200 | [200, 301] | "2xx"   (default: any 2xx)
//   body_contains: "text"              body_regex: "RE2 pattern" (searched anywhere)
//   json: {"path.to[0].field": value}  (the body parsed as JSON; each path must equal its value)
//   max_response_ms: 500               (total time)
//   min_cert_days: 14                  (days left on the server certificate; fails without TLS)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/field_path.h"
#include "core/http.h"
#include "core/value.h"

namespace rb::actions {

struct expectation {
  value status = nullptr;                          // as written; null: any 2xx
  std::vector<std::pair<int, int>> status_ranges;  // inclusive ranges; empty: 200..299
  std::optional<std::string> body_contains;
  std::optional<std::string> body_regex;
  std::vector<std::pair<std::string, value>> json;  // path text → expected value
  std::vector<field_path> json_paths;               // the same paths, compiled
  std::optional<double> max_response_ms;
  std::optional<double> min_cert_days;
};

// Reads `expect` (null or a mapping) into `out`. Returns an error text naming the key, or empty.
std::string read_expectation(const value& expect, expectation& out);

// The conditions `r` fails, as [{"condition": key, "expected": ..., "actual": ...}]; an empty
// list when every one holds. Call only for a response that came (no response is an error).
value failed_conditions(const expectation& e, const http_response& r, std::int64_t now_seconds);

}  // namespace rb::actions
