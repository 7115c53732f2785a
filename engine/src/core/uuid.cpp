#include "core/uuid.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <random>
#include <utility>

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

// splitmix64's finalizer: a bijection of 64-bit words that mixes every bit.
std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void format_uuid4(std::uint64_t hi, std::uint64_t lo, char* out) {
  hi = (hi & ~0xF000ULL) | 0x4000ULL;                         // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  // Two hex digits per byte from one table lookup; dashes after bytes 4, 6, 8 and 10.
  static const auto pairs = [] {
    static constexpr char hex[] = "0123456789abcdef";
    std::array<char, 512> t{};
    for (int b = 0; b < 256; ++b) {
      t[2 * b] = hex[b >> 4];
      t[2 * b + 1] = hex[b & 0xF];
    }
    return t;
  }();
  static constexpr int at[16] = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};
  out[8] = out[13] = out[18] = out[23] = '-';
  for (int i = 0; i < 16; ++i) {
    const std::uint64_t word = i < 8 ? hi : lo;
    const unsigned byte = static_cast<unsigned>(word >> (56 - 8 * (i & 7))) & 0xFFu;
    std::memcpy(out + at[i], &pairs[2 * byte], 2);
  }
}

}  // namespace

void uuid4_into(char* out) {
  thread_local xoshiro256 gen;
  const std::uint64_t hi = gen.next();
  format_uuid4(hi, gen.next(), out);
}

void uuid4_for(std::uint64_t sequence, char* out) {
  static const auto keys = [] {
    xoshiro256 gen;
    return std::pair<std::uint64_t, std::uint64_t>(gen.next(), gen.next());
  }();
  // `hi` alone is a bijection of the sequence number (before the version bits are set).
  format_uuid4(mix(sequence ^ keys.first), mix(sequence + keys.second), out);
}

std::string uuid4() {
  std::string out(36, '\0');
  uuid4_into(out.data());
  return out;
}

}  // namespace rb
