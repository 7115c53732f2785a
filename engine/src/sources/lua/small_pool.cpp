#include "sources/lua/small_pool.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#if defined(__SANITIZE_ADDRESS__)
#define RB_SMALL_POOL_BYPASS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RB_SMALL_POOL_BYPASS 1
#endif
#endif

namespace rb::sources::lua::detail {

namespace {
// The slab header is padded to a granule so every block stays 16-byte aligned.
constexpr std::size_t header = 16;
constexpr std::size_t max_slab = 64 * 1024;
}  // namespace

bool small_pool::enabled() {
#ifdef RB_SMALL_POOL_BYPASS
  return false;
#else
  return true;
#endif
}

small_pool::~small_pool() {
  while (slabs_ != nullptr) {
    slab* next = slabs_->next;
    std::free(slabs_);
    slabs_ = next;
  }
}

void* small_pool::get(std::size_t n) {
  const std::size_t c = class_of(n);
  if (free_block* b = free_[c]; b != nullptr) {
    free_[c] = b->next;
    return b;
  }
  const std::size_t size = (c + 1) * granule;
  if (left_ < size) {
    // The old slab's tail (under max_small bytes) is left unused.
    auto* s = static_cast<slab*>(std::malloc(next_slab_));
    if (s == nullptr) return nullptr;
    s->next = slabs_;
    s->size = next_slab_;
    slabs_ = s;
    slab_bytes_ += next_slab_;
    cursor_ = reinterpret_cast<char*>(s) + header;
    left_ = next_slab_ - header;
    next_slab_ = std::min(next_slab_ * 2, max_slab);
  }
  void* p = cursor_;
  cursor_ += size;
  left_ -= size;
  return p;
}

void small_pool::put(void* p, std::size_t n) {
  auto* b = static_cast<free_block*>(p);
  const std::size_t c = class_of(n);
  b->next = free_[c];
  free_[c] = b;
}

void* small_pool::alloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize) {
#ifdef RB_SMALL_POOL_BYPASS
  (void)ud;
  (void)osize;
  if (nsize == 0) {
    std::free(ptr);
    return nullptr;
  }
  return std::realloc(ptr, nsize);
#else
  auto* pool = static_cast<small_pool*>(ud);
  const bool was_small = ptr != nullptr && osize <= max_small;
  if (nsize == 0) {
    if (was_small) {
      pool->put(ptr, osize);
    } else {
      std::free(ptr);
    }
    return nullptr;
  }
  if (ptr == nullptr) return nsize <= max_small ? pool->get(nsize) : std::malloc(nsize);
  if (!was_small && nsize > max_small) return std::realloc(ptr, nsize);
  if (was_small && nsize <= max_small && class_of(osize) == class_of(nsize)) return ptr;
  void* q = nsize <= max_small ? pool->get(nsize) : std::malloc(nsize);
  if (q == nullptr) return nullptr;  // Lua keeps the old block on failure
  std::memcpy(q, ptr, std::min(osize, nsize));
  if (was_small) {
    pool->put(ptr, osize);
  } else {
    std::free(ptr);
  }
  return q;
#endif
}

}  // namespace rb::sources::lua::detail
