// clock: wall-clock timestamps in ansible-rulebook's format (ISO 8601, UTC, microseconds, `Z`).
#pragma once

#include <chrono>
#include <string>

namespace rb {

// "2024-05-01T12:34:56.123456Z" for the current time. Cheap: the date part is cached per second.
std::string utc_now_iso();

// Same format for a given time point.
std::string utc_iso(std::chrono::system_clock::time_point tp);

}  // namespace rb
