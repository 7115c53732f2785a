// log: the logger for heartbeat store lines. app may register "rulebook.store"; without it, the
// default logger.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

#include "core/heartbeat.h"

namespace rb::store {

inline spdlog::logger& store_log() {
  static std::shared_ptr<spdlog::logger> registered = spdlog::get("rulebook.store");
  return registered ? *registered : *spdlog::default_logger_raw();
}

// "12 (api-login)", or "api-login" for a monitor given in a rulebook's args (no id).
inline std::string monitor_label(const heartbeat& hb) {
  if (!hb.monitor_id) return hb.monitor_name;
  return std::to_string(*hb.monitor_id) + " (" + hb.monitor_name + ")";
}

}  // namespace rb::store
