#include "core/field_path.h"

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

}  // namespace rb
