// log: the logger for leadership lines. app registers "rulebook.ha" at info level or lower, so
// leadership changes show at the default verbosity; without it, the default logger.
#pragma once

#include <spdlog/spdlog.h>

namespace rb::ha {

inline spdlog::logger& ha_log() {
  static std::shared_ptr<spdlog::logger> registered = spdlog::get("rulebook.ha");
  return registered ? *registered : *spdlog::default_logger_raw();
}

}  // namespace rb::ha
