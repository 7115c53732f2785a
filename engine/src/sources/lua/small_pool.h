// small_pool: the allocator behind one lua_State's small blocks (tables, strings, closures up to
// 512 bytes), as free lists per 16-byte size class carved from slabs the pool owns.
//
// Why: a Lua source creates a table per event and its garbage collector frees them in long runs.
// Through glibc malloc those runs overflow the thread cache and end in _int_free, consolidation
// and unlinking: about half of a Lua source's CPU time in bench/plugins_throughput.sh and a third
// of 1,000 idle-ticking sources' time. A pool per state makes a small allocation a pointer pop.
//
// Contract: lua_Alloc semantics (ptr == nullptr allocates, nsize == 0 frees, else reallocates;
// `osize` is the block's true size, which LuaJIT always passes). Blocks over max_small go to
// malloc/realloc/free. Memory of freed small blocks stays in the pool (reused by the same state)
// and returns to the system when the pool is destroyed, after lua_close. Not thread-safe: one
// state, one thread. The --lua-memory-limit accounting (capped_alloc) sits on top, unchanged.
// Under AddressSanitizer the pool is bypassed so that use-after-free inside Lua stays visible.
#pragma once

#include <cstddef>

namespace rb::sources::lua::detail {

class small_pool {
 public:
  static constexpr std::size_t granule = 16;
  static constexpr std::size_t max_small = 512;

  small_pool() = default;
  ~small_pool();
  small_pool(const small_pool&) = delete;
  small_pool& operator=(const small_pool&) = delete;

  // A lua_Alloc with `ud` = the pool.
  static void* alloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize);

  // False under AddressSanitizer, where every block goes to malloc.
  static bool enabled();
  // Bytes the pool holds in slabs (for tests).
  std::size_t slab_bytes() const { return slab_bytes_; }

 private:
  static constexpr std::size_t classes = max_small / granule;
  struct free_block {
    free_block* next;
  };
  struct slab {
    slab* next;
    std::size_t size;
  };

  static std::size_t class_of(std::size_t n) { return n <= granule ? 0 : (n - 1) / granule; }
  void* get(std::size_t n);
  void put(void* p, std::size_t n);

  free_block* free_[classes] = {};
  slab* slabs_ = nullptr;
  char* cursor_ = nullptr;  // the unused tail of the newest slab
  std::size_t left_ = 0;
  std::size_t next_slab_ = 4096;  // slabs double up to 64 KiB: an idle state stays small
  std::size_t slab_bytes_ = 0;
};

}  // namespace rb::sources::lua::detail
