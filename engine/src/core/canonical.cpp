#include "core/canonical.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace rb {

namespace {

void append(const value& v, bool skip_meta, std::string& out) {
  if (v.is_number_float()) {
    const double d = v.get<double>();
    // Integral doubles within int64 print as integers, as the integer of the same value does.
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.2e18) {
      out += std::to_string(static_cast<std::int64_t>(d));
      return;
    }
  }
  if (v.is_object()) {
    std::vector<const std::string*> keys;
    keys.reserve(v.size());
    for (auto it = v.begin(); it != v.end(); ++it)
      if (!(skip_meta && it.key() == "meta")) keys.push_back(&it.key());
    std::sort(keys.begin(), keys.end(), [](auto* a, auto* b) { return *a < *b; });
    out += '{';
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (i) out += ',';
      out += value(*keys[i]).dump(-1, ' ', false, value::error_handler_t::replace);
      out += ':';
      append(v.at(*keys[i]), false, out);
    }
    out += '}';
    return;
  }
  if (v.is_array()) {
    out += '[';
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i) out += ',';
      append(v[i], false, out);
    }
    out += ']';
    return;
  }
  out += v.dump(-1, ' ', false, value::error_handler_t::replace);
}

}  // namespace

std::string canonical_key(const value& v, bool skip_meta) {
  std::string out;
  append(v, skip_meta, out);
  return out;
}

}  // namespace rb
