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

std::string uuid4() {
  thread_local xoshiro256 gen;
  std::uint64_t hi = gen.next();
  std::uint64_t lo = gen.next();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;                          // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(36, '-');
  int pos = 0;
  auto put = [&](std::uint64_t word, int nibbles_from, int count) {
    for (int i = 0; i < count; ++i) {
      if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
      const int shift = 4 * (nibbles_from - 1 - i);
      out[pos++] = hex[(word >> shift) & 0xF];
    }
  };
  put(hi, 16, 16);
  put(lo, 16, 16);
  return out;
}

}  // namespace rb
