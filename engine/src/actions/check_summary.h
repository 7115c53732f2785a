// check_summary: what `-v` shows of HTTP checks: one line per window (30 s) instead of a line per
// check, which buries the alerts a terminal is watched for. Each monitor's last result in the
// window counts; the line lists the monitors that are down, with their reasons. Runs on the loop;
// a line is due at the first check completing after the window ends (no timer of its own).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>

namespace rb::actions {

class check_summary {
 public:
  using clock = std::chrono::steady_clock;
  explicit check_summary(clock::duration window = std::chrono::seconds(30)) : window_(window) {}

  // Counts one check of `monitor`; returns the summary line when a window ended with it.
  std::optional<std::string> add(const std::string& monitor, bool success,
                                 const std::string& reason, clock::time_point now = clock::now());

 private:
  struct last_result {
    bool success = false;
    std::string reason;
  };
  clock::duration window_;
  std::optional<clock::time_point> started_;
  std::size_t checks_ = 0;
  std::map<std::string, last_result> monitors_;  // sorted: the line reads the same each time
};

}  // namespace rb::actions
