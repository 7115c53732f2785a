#include "actions/variables.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace rb::actions {

namespace {

constexpr std::string_view secret_words[] = {"token", "password", "key", "passphrase", "secret"};

}  // namespace

bool is_secret_key(std::string_view key) noexcept {
  std::string lower(key);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (auto w : secret_words)
    if (lower.find(w) != std::string::npos) return true;
  return false;
}

value mask_secrets(const value& v) {
  if (v.is_object()) {
    value out = value::object();
    for (auto it = v.begin(); it != v.end(); ++it) {
      const value& x = it.value();
      if (x.is_object() || x.is_array()) {
        out[it.key()] = mask_secrets(x);
      } else if (x.is_string() && is_secret_key(it.key())) {
        out[it.key()] = masked_string;
      } else {
        out[it.key()] = x;
      }
    }
    return out;
  }
  if (v.is_array()) {
    value out = value::array();
    for (const auto& x : v) out.push_back(mask_secrets(x));
    return out;
  }
  return v;
}

bool truthy(const value& v) noexcept {
  switch (v.type()) {
    case value::value_t::null:
      return false;
    case value::value_t::boolean:
      return v.get<bool>();
    case value::value_t::number_integer:
      return v.get<std::int64_t>() != 0;
    case value::value_t::number_unsigned:
      return v.get<std::uint64_t>() != 0;
    case value::value_t::number_float:
      return v.get<double>() != 0.0;
    case value::value_t::string:
      return !v.get_ref<const std::string&>().empty();
    case value::value_t::array:
    case value::value_t::object:
      return !v.empty();
    default:
      return true;
  }
}

const value* dotted_get(const value& root, std::string_view path) noexcept {
  const value* cur = &root;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = path.find('.', start);
    const std::string_view part =
        path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (cur->is_object()) {
      auto it = cur->find(std::string(part));
      if (it == cur->end()) return nullptr;
      cur = &*it;
    } else if (cur->is_array() && !part.empty() &&
               part.find_first_not_of("0123456789") == std::string_view::npos && part.size() < 10) {
      const std::size_t idx = std::stoul(std::string(part));
      if (idx >= cur->size()) return nullptr;
      cur = &(*cur)[idx];
    } else {
      return nullptr;
    }
    if (dot == std::string_view::npos) return cur;
    start = dot + 1;
  }
}

namespace {

// var_root as (path, name) pairs in their written order.
std::vector<std::pair<std::string, std::string>> roots(const value& var_root) {
  std::vector<std::pair<std::string, std::string>> out;
  if (var_root.is_string()) {
    out.emplace_back(var_root.get<std::string>(), var_root.get<std::string>());
  } else if (var_root.is_object()) {
    for (auto it = var_root.begin(); it != var_root.end(); ++it)
      out.emplace_back(it.key(),
                       it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
  }
  return out;
}

}  // namespace

std::optional<value> apply_var_root(const value& event, const value& var_root) {
  for (const auto& [path, name] : roots(var_root)) {
    (void)name;
    const value* found = dotted_get(event, path);
    if (found && truthy(*found)) return *found;
  }
  return std::nullopt;
}

value apply_var_root_events(const value& events, const value& var_root) {
  value out = events;
  const auto pairs = roots(var_root);
  for (auto it = events.begin(); it != events.end(); ++it) {
    for (const auto& [path, name] : pairs) {
      const value* found = dotted_get(it.value(), path);
      if (found && truthy(*found)) {
        out[name] = *found;
        break;
      }
    }
  }
  return out;
}

}  // namespace rb::actions
