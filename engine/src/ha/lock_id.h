// lock_id: the advisory lock key of an HA group: the first 8 bytes of SHA-256(ha_uuid), read
// big-endian as a signed 64-bit integer. It is taken with the one-argument (bigint) advisory lock
// functions, so pg_locks shows it as classid = high 32 bits, objid = low 32 bits, objsubid = 1.
// The same value in SQL:
//   SELECT ('x' || left(encode(sha256(convert_to('<uuid>', 'UTF8')), 'hex'), 16))::bit(64)::bigint
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace rb::ha {

std::array<std::uint8_t, 32> sha256(std::string_view data);
std::int64_t lock_id(std::string_view ha_uuid);

}  // namespace rb::ha
