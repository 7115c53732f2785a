// monitor_schedule: when a monitor of the `monitors` source runs, as a pure function of its name,
// its interval and the wall clock (milliseconds since the Unix epoch).
//
// Slots are t = k * interval + offset, offset = fnv1a64(name) mod interval. Any process computes
// the same slots from the same monitor with nothing stored, so a new leader continues the
// schedule where the old one left it; the offsets spread monitors of one interval evenly over
// it instead of firing them together at each multiple of the interval.
#pragma once

#include <cstdint>
#include <string_view>

namespace rb::sources::monitors {

// FNV-1a, 64 bits, over the name's bytes (stable across builds, platforms and restarts).
std::uint64_t name_hash(std::string_view name) noexcept;

// The monitor's offset in [0, interval_ms). interval_ms > 0.
std::int64_t slot_offset_ms(std::string_view name, std::int64_t interval_ms) noexcept;

// The first slot at or after `now_ms` (a slot exactly at now is due now, never one before it).
std::int64_t next_slot_ms(std::int64_t now_ms, std::int64_t interval_ms,
                          std::int64_t offset_ms) noexcept;

}  // namespace rb::sources::monitors
