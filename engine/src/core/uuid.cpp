#include "core/uuid.h"

#include <cstdint>
#include <random>

namespace rb {

namespace {

struct xoshiro256 {
  std::uint64_t s[4];
  xoshiro256() {
    std::random_device rd;
    for (auto& w : s) w = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  }
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
    const std::uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
};

}  // namespace

void uuid4_into(char* out) {
  thread_local xoshiro256 gen;
  std::uint64_t hi = gen.next();
  std::uint64_t lo = gen.next();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;                          // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  // Two hex digits per byte from one table lookup; dashes after bytes 4, 6, 8 and 10.
  static constexpr char hex[] = "0123456789abcdef";
  char* p = out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) *p++ = '-';
    const std::uint64_t word = i < 8 ? hi : lo;
    const unsigned byte = static_cast<unsigned>(word >> (56 - 8 * (i & 7))) & 0xFFu;
    *p++ = hex[byte >> 4];
    *p++ = hex[byte & 0xF];
  }
}

std::string uuid4() {
  std::string out(36, '\0');
  uuid4_into(out.data());
  return out;
}

}  // namespace rb
