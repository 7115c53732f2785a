// small_pool: the per-state allocator of small Lua blocks (lua_Alloc semantics).
#include "sources/lua/small_pool.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <vector>

using rb::sources::lua::detail::small_pool;

namespace {

void* alloc(small_pool& p, void* ptr, std::size_t osize, std::size_t nsize) {
  return small_pool::alloc(&p, ptr, osize, nsize);
}

void fill(void* p, std::size_t n, unsigned char seed) {
  auto* b = static_cast<unsigned char*>(p);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<unsigned char>(seed + i);
}

bool check(const void* p, std::size_t n, unsigned char seed) {
  const auto* b = static_cast<const unsigned char*>(p);
  for (std::size_t i = 0; i < n; ++i)
    if (b[i] != static_cast<unsigned char>(seed + i)) return false;
  return true;
}

}  // namespace

TEST_CASE("small_pool: blocks are aligned, distinct and keep their bytes") {
  small_pool pool;
  std::vector<std::pair<void*, std::size_t>> blocks;
  for (std::size_t n = 1; n <= 700; n += 7) {
    void* p = alloc(pool, nullptr, 0, n);
    REQUIRE(p != nullptr);
    CHECK(reinterpret_cast<std::uintptr_t>(p) % 16 == 0);
    fill(p, n, static_cast<unsigned char>(n));
    blocks.emplace_back(p, n);
  }
  for (const auto& [p, n] : blocks) CHECK(check(p, n, static_cast<unsigned char>(n)));
  for (const auto& [p, n] : blocks) CHECK(alloc(pool, p, n, 0) == nullptr);
}

TEST_CASE("small_pool: a freed block is reused for the same size class") {
  if (!small_pool::enabled()) return;  // ASan build: plain malloc
  small_pool pool;
  void* a = alloc(pool, nullptr, 0, 40);
  alloc(pool, a, 40, 0);
  CHECK(alloc(pool, nullptr, 0, 48) == a);  // 33..48 bytes share a class
  void* b = alloc(pool, nullptr, 0, 40);
  CHECK(b != a);
  alloc(pool, a, 48, 0);
  alloc(pool, b, 40, 0);
}

TEST_CASE("small_pool: realloc within a class, across classes and to and from large blocks") {
  small_pool pool;
  void* p = alloc(pool, nullptr, 0, 20);
  fill(p, 20, 1);
  void* same = alloc(pool, p, 20, 30);
  if (small_pool::enabled()) CHECK(same == p);  // same class: in place
  void* q = alloc(pool, same, 30, 200);         // bigger class: moved, bytes kept
  CHECK(check(q, 20, 1));
  fill(q, 200, 2);
  void* big = alloc(pool, q, 200, 5000);  // small → large
  CHECK(check(big, 200, 2));
  fill(big, 5000, 3);
  void* bigger = alloc(pool, big, 5000, 100000);  // large → large
  CHECK(check(bigger, 5000, 3));
  void* back = alloc(pool, bigger, 100000, 100);  // large → small
  CHECK(check(back, 100, 3));
  void* smaller = alloc(pool, back, 100, 8);  // shrink into another class
  CHECK(check(smaller, 8, 3));
  alloc(pool, smaller, 8, 0);
}

TEST_CASE("small_pool: slabs start small and grow; an idle pool holds little") {
  if (!small_pool::enabled()) return;  // ASan build: plain malloc
  small_pool pool;
  CHECK(pool.slab_bytes() == 0);
  std::vector<void*> blocks;
  for (int i = 0; i < 100; ++i) blocks.push_back(alloc(pool, nullptr, 0, 32));
  CHECK(pool.slab_bytes() == 4096);
  for (int i = 0; i < 10000; ++i) blocks.push_back(alloc(pool, nullptr, 0, 64));
  CHECK(pool.slab_bytes() >= 100 * 32 + 10000 * 64);
  CHECK(pool.slab_bytes() < 2 * (100 * 32 + 10000 * 64) + 64 * 1024);
  for (std::size_t i = 0; i < blocks.size(); ++i) alloc(pool, blocks[i], i < 100 ? 32 : 64, 0);
}
