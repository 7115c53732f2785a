// clock: wall-clock timestamps in ansible-rulebook's format (ISO 8601, UTC, microseconds, `Z`).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
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

// "2026-11-28T06:49:55.123Z": milliseconds (heartbeats, monitor slots).
std::string utc_iso_ms(std::int64_t us);
// Reads ISO 8601 UTC text ("YYYY-MM-DDTHH:MM:SS[.fraction]Z", `Z` or "+00:00", a space
// allowed instead of `T`) into µs since the epoch; nullopt when it is not that.
std::optional<std::int64_t> parse_utc_iso(std::string_view text);
// µs since the epoch, now.
std::int64_t utc_now_us();

// Same format for a given time point.
std::string utc_iso(std::chrono::system_clock::time_point tp);

}  // namespace rb
