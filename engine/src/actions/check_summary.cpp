#include "actions/check_summary.h"

#include <spdlog/fmt/fmt.h>

namespace rb::actions {

std::optional<std::string> check_summary::add(const std::string& monitor, bool success,
                                              const std::string& reason, clock::time_point now) {
  if (!started_) started_ = now;
  ++checks_;
  monitors_[monitor] = {success, success ? std::string() : reason};
  const auto elapsed = now - *started_;
  if (elapsed < window_) return std::nullopt;

  std::size_t up = 0;
  std::string down;
  std::size_t down_count = 0;
  for (const auto& [name, r] : monitors_) {
    if (r.success) {
      ++up;
      continue;
    }
    ++down_count;
    down += (down.empty() ? "" : ", ") + name + " (" + r.reason + ")";
  }
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(elapsed).count();
  std::string line = fmt::format("http_check: {} check(s) of {} monitor(s) in the last {} s: {} up",
                                 checks_, monitors_.size(), seconds, up);
  if (down_count) line += fmt::format(", {} DOWN: {}", down_count, down);
  started_ = now;
  checks_ = 0;
  monitors_.clear();
  return line;
}

}  // namespace rb::actions
