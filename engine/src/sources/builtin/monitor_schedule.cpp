#include "sources/builtin/monitor_schedule.h"

namespace rb::sources::monitors {

std::uint64_t name_hash(std::string_view name) noexcept {
  std::uint64_t h = 14695981039346656037ull;
  for (const char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

std::int64_t slot_offset_ms(std::string_view name, std::int64_t interval_ms) noexcept {
  return static_cast<std::int64_t>(name_hash(name) % static_cast<std::uint64_t>(interval_ms));
}

std::int64_t next_slot_ms(std::int64_t now_ms, std::int64_t interval_ms,
                          std::int64_t offset_ms) noexcept {
  // Floor division, so that times before the first slot after the epoch work too.
  std::int64_t k = (now_ms - offset_ms) / interval_ms;
  if (k * interval_ms + offset_ms > now_ms) --k;
  std::int64_t slot = k * interval_ms + offset_ms;
  if (slot < now_ms) slot += interval_ms;
  return slot;
}

}  // namespace rb::sources::monitors
