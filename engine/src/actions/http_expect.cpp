#include "actions/http_expect.h"

#include <cctype>
#include <cmath>

#include "condition/compare.h"
#include "condition/regex_cache.h"

namespace rb::actions {

namespace {

std::string bad(std::string_view key, std::string_view want, const value& got) {
  return "expect: '" + std::string(key) + "' must be " + std::string(want) + " (got " + got.dump() +
         ")";
}

// 200 → [200,200]; "2xx" → [200,299]; "200" → [200,200].
bool read_status(const value& v, std::vector<std::pair<int, int>>& out) {
  if (v.is_number_integer()) {
    const long long c = v.get<long long>();
    if (c < 100 || c > 599) return false;
    out.emplace_back(static_cast<int>(c), static_cast<int>(c));
    return true;
  }
  if (!v.is_string()) return false;
  const std::string& t = v.get_ref<const std::string&>();
  if (t.size() == 3 && t[0] >= '1' && t[0] <= '5' && (t[1] == 'x' || t[1] == 'X') &&
      (t[2] == 'x' || t[2] == 'X')) {
    const int base = (t[0] - '0') * 100;
    out.emplace_back(base, base + 99);
    return true;
  }
  if (t.size() == 3 && std::isdigit(static_cast<unsigned char>(t[0])) &&
      std::isdigit(static_cast<unsigned char>(t[1])) &&
      std::isdigit(static_cast<unsigned char>(t[2]))) {
    return read_status(value(std::stoi(t)), out);
  }
  return false;
}

bool read_number(const value& v, double& out) {
  if (!v.is_number()) return false;
  out = v.get<double>();
  return std::isfinite(out) && out >= 0;
}

// 800.0 reads as 800 in messages, as it was written.
value number(double d) {
  if (d == std::floor(d) && std::fabs(d) < 1e15) return static_cast<long long>(d);
  return d;
}

value failure(std::string_view condition, value expected, value actual) {
  value f = value::object();
  f["condition"] = condition;
  f["expected"] = std::move(expected);
  f["actual"] = std::move(actual);
  return f;
}

}  // namespace

std::string read_expectation(const value& expect, expectation& out) {
  if (expect.is_null()) return {};
  if (!expect.is_object()) return "expect: must be a mapping (got " + expect.dump() + ")";
  for (auto it = expect.begin(); it != expect.end(); ++it) {
    const std::string& k = it.key();
    const value& v = it.value();
    if (k == "status") {
      out.status = v;
      out.status_ranges.clear();
      bool ok = true;
      if (v.is_array()) {
        ok = !v.empty();
        for (const auto& s : v) ok = ok && read_status(s, out.status_ranges);
      } else {
        ok = read_status(v, out.status_ranges);
      }
      if (!ok) return bad(k, "a status code, \"2xx\"-style class, or a list of them", v);
    } else if (k == "body_contains") {
      if (!v.is_string()) return bad(k, "a string", v);
      out.body_contains = v.get<std::string>();
    } else if (k == "body_regex") {
      if (!v.is_string()) return bad(k, "a string", v);
      // Through the cache failed_conditions() uses: a pattern compiles once, not per check.
      if (!condition::cached_regex(v.get<std::string>(), {})) {
        std::string error;
        condition::compile_regex(v.get<std::string>(), {}, &error);
        return "expect: 'body_regex' does not compile: " + error;
      }
      out.body_regex = v.get<std::string>();
    } else if (k == "json") {
      if (!v.is_object()) return bad(k, "a mapping of field paths to expected values", v);
      for (auto j = v.begin(); j != v.end(); ++j) {
        field_path p;
        if (!parse_field_path(j.key(), p))
          return "expect: 'json' has a bad field path '" + j.key() + "'";
        out.json.emplace_back(j.key(), j.value());
        out.json_paths.push_back(std::move(p));
      }
    } else if (k == "max_response_ms" || k == "min_cert_days") {
      double n = 0;
      if (!read_number(v, n)) return bad(k, "a number (0 or more)", v);
      (k == "max_response_ms" ? out.max_response_ms : out.min_cert_days) = n;
    } else {
      return "expect: unknown condition '" + k +
             "' (known: status, body_contains, body_regex, json, max_response_ms, "
             "min_cert_days)";
    }
  }
  return {};
}

value failed_conditions(const expectation& e, const http_response& r, std::int64_t now_seconds) {
  value failed = value::array();
  bool status_ok = false;
  if (e.status_ranges.empty()) {
    status_ok = r.status >= 200 && r.status <= 299;
  } else {
    for (const auto& [lo, hi] : e.status_ranges)
      status_ok = status_ok || (r.status >= lo && r.status <= hi);
  }
  if (!status_ok)
    failed.push_back(failure("status", e.status.is_null() ? value("2xx") : e.status, r.status));
  const bool truncated = r.body.size() < r.bytes;
  if (e.body_contains && r.body.find(*e.body_contains) == std::string::npos)
    failed.push_back(
        failure("body_contains", *e.body_contains,
                truncated ? value("(not in the first " + std::to_string(r.body.size()) + " bytes)")
                          : value("(not found)")));
  if (e.body_regex) {
    const RE2* re = condition::cached_regex(*e.body_regex, {});
    if (!re || !RE2::PartialMatch(r.body, *re))
      failed.push_back(failure("body_regex", *e.body_regex, "(no match)"));
  }
  if (!e.json.empty()) {
    const value doc = value::parse(r.body, nullptr, false);
    for (std::size_t i = 0; i < e.json.size(); ++i) {
      const auto& [path, expected] = e.json[i];
      const value* got = doc.is_discarded() ? nullptr : resolve(doc, e.json_paths[i]);
      const bool equal = got && condition::values_equal(*got, expected);
      if (!equal) {
        value actual = doc.is_discarded() ? value("(body is not JSON)")
                       : got              ? *got
                                          : value("(missing)");
        failed.push_back(failure("json." + path, expected, std::move(actual)));
      }
    }
  }
  if (e.max_response_ms && r.time.total_ms > *e.max_response_ms)
    failed.push_back(failure("max_response_ms", number(*e.max_response_ms),
                             std::round(r.time.total_ms * 10) / 10));
  if (e.min_cert_days) {
    if (r.cert_expires_at == 0) {
      failed.push_back(failure("min_cert_days", number(*e.min_cert_days), "(no certificate)"));
    } else {
      const double days = static_cast<double>(r.cert_expires_at - now_seconds) / 86400.0;
      if (days < *e.min_cert_days)
        failed.push_back(
            failure("min_cert_days", number(*e.min_cert_days), std::floor(days * 10) / 10));
    }
  }
  return failed;
}

}  // namespace rb::actions
