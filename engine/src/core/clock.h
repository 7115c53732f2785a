// clock: wall-clock timestamps in ansible-rulebook's format (ISO 8601, UTC, microseconds, `Z`).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace rb {

// "2024-05-01T12:34:56.123456Z" for the current time. Cheap: the date part is cached per second.
std::string utc_now_iso();

// The same text held inline (no allocation), for timestamps taken at event rate.
struct iso_timestamp {
  char text[27];
  std::string_view view() const noexcept { return {text, sizeof text}; }
};
iso_timestamp utc_now_stamp();
// For a time in microseconds since the epoch (not before 1970).
iso_timestamp utc_stamp(std::int64_t us);

// Same format for a given time point.
std::string utc_iso(std::chrono::system_clock::time_point tp);

}  // namespace rb
