#include "core/field_path.h"

#include <cctype>

namespace rb {

const value* resolve(const value& root, const field_path& path) noexcept {
  const value* cur = &root;
  for (const auto& step : path) {
    if (step.type == path_step::kind::key) {
      if (!cur->is_object()) return nullptr;
      auto it = cur->find(step.key);
      if (it == cur->end()) return nullptr;
      cur = &*it;
    } else {
      if (!cur->is_array()) return nullptr;
      const long size = static_cast<long>(cur->size());
      const long idx = step.index < 0 ? size + step.index : step.index;
      if (idx < 0 || idx >= size) return nullptr;
      cur = &(*cur)[static_cast<std::size_t>(idx)];
    }
  }
  return cur;
}

static bool is_identifier(const std::string& key) {
  if (key.empty()) return false;
  for (std::size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) return false;
  }
  return true;
}

std::string to_string(const field_path& path) {
  std::string out;
  for (const auto& step : path) {
    if (step.type == path_step::kind::index) {
      out += '[' + std::to_string(step.index) + ']';
    } else if (is_identifier(step.key)) {
      if (!out.empty()) out += '.';
      out += step.key;
    } else {
      out += "[\"" + step.key + "\"]";
    }
  }
  return out;
}

bool parse_field_path(std::string_view t, field_path& out) {
  out.clear();
  std::size_t i = 0;
  auto push_key = [&](std::string key) {
    path_step s;
    bool numeric = !key.empty();
    for (char c : key) numeric = numeric && std::isdigit(static_cast<unsigned char>(c));
    if (numeric && key.size() < 10) {
      // `items.0`: a dotted index, as Jinja reads it (a list element, not an object's key "0").
      s.type = path_step::kind::index;
      s.index = std::stol(key);
    } else {
      s.key = std::move(key);
    }
    out.push_back(std::move(s));
  };
  while (i < t.size()) {
    if (t[i] == '[') {
      const std::size_t close = t.find(']', i);
      if (close == std::string_view::npos) return false;
      std::string_view inner = t.substr(i + 1, close - i - 1);
      path_step s;
      if (inner.size() >= 2 && (inner.front() == '"' || inner.front() == '\'') &&
          inner.back() == inner.front()) {
        s.key = std::string(inner.substr(1, inner.size() - 2));
      } else {
        if (inner.empty()) return false;
        std::size_t at = inner[0] == '-' ? 1 : 0;
        if (at == inner.size()) return false;
        for (std::size_t k = at; k < inner.size(); ++k)
          if (!std::isdigit(static_cast<unsigned char>(inner[k]))) return false;
        s.type = path_step::kind::index;
        s.index = std::stol(std::string(inner));
      }
      out.push_back(std::move(s));
      i = close + 1;
      if (i < t.size() && t[i] == '.') ++i;
      continue;
    }
    std::size_t end = i;
    while (end < t.size() && t[end] != '.' && t[end] != '[') ++end;
    if (end == i) return false;
    push_key(std::string(t.substr(i, end - i)));
    i = end;
    if (i < t.size() && t[i] == '.') {
      ++i;
      if (i == t.size()) return false;
    }
  }
  return !out.empty();
}

}  // namespace rb
