// diagnostics: the collector every rulebook check writes to. Internal to rulebook/ (no yaml-cpp).
// Errors and warnings are appended in discovery order; nothing here throws.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rulebook/loader.h"

namespace rb::rulebook {

class diagnostics {
 public:
  void error(position pos, std::string message);
  void warning(position pos, std::string message);

  std::size_t error_count() const { return errors_.size(); }
  std::vector<diagnostic>& errors() { return errors_; }
  std::vector<diagnostic>& warnings() { return warnings_; }

 private:
  std::vector<diagnostic> errors_;
  std::vector<diagnostic> warnings_;
};

// Helpers shared by every message so they read the same everywhere.
std::string quote(std::string_view s);  // 'text'
std::string join(const std::vector<std::string_view>& items, std::string_view sep = ", ");
// A close match among `candidates` for a misspelt key, or "" when nothing is close.
std::string closest(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace rb::rulebook
