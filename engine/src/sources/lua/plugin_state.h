// plugin_state: one sandboxed lua_State for one plugin instance (a source or a filter), with its
// memory cap, its watchdog and the API every plugin sees (log, json, now, print).
//
// Contract:
// - The constructor creates and sandboxes the state and compiles the file (text only); it throws
//   std::runtime_error with a message naming the file and line. It never runs plugin code.
// - Every entry into Lua goes through call() or resume(), which arm the count-hook deadline and
//   the watchdog slot, and turn a failure into one message "<file>:<line>: <what>".
// - Errors never escape as Lua errors: outside call()/resume() nothing touches the Lua stack in
//   a way that can raise (set-up runs under lua_cpcall).
// Owned by one thread (the loop) at a time; only the watchdog slot is read by another thread.
#pragma once

#include <chrono>
#include <lua.hpp>
#include <memory>
#include <string>

#include "sources/lua/lua_host.h"
#include "sources/lua/small_pool.h"
#include "sources/lua/watchdog.h"

namespace rb::sources::lua::detail {

// Allocation accounting for the memory cap; lives as long as the state.
struct alloc_stats {
  std::size_t used = 0;
  std::size_t limit = 0;
  std::size_t peak = 0;
  bool unlimited = false;     // the host's own bookkeeping (error messages) may not fail
  lua_Alloc inner = nullptr;  // where the blocks really come from
  void* inner_ud = nullptr;
  small_pool pool;  // the usual `inner`: small blocks per state (small_pool.h says why)
};

// A reference in the registry, released with the state's lifetime in mind.
class registry_ref {
 public:
  registry_ref() = default;
  // Pops the value on top of L's stack into the registry.
  explicit registry_ref(lua_State* L) : L_(L), ref_(luaL_ref(L, LUA_REGISTRYINDEX)) {}
  static registry_ref adopt(lua_State* L, int ref) {
    registry_ref r;
    r.L_ = L;
    r.ref_ = ref;
    return r;
  }
  registry_ref(registry_ref&& o) noexcept : L_(o.L_), ref_(o.ref_) { o.ref_ = LUA_NOREF; }
  registry_ref& operator=(registry_ref&& o) noexcept {
    if (this != &o) {
      reset();
      L_ = o.L_;
      ref_ = o.ref_;
      o.ref_ = LUA_NOREF;
    }
    return *this;
  }
  ~registry_ref() { reset(); }
  void push(lua_State* L) const { lua_rawgeti(L, LUA_REGISTRYINDEX, ref_); }
  void reset() {
    if (L_ != nullptr && ref_ != LUA_NOREF && ref_ != LUA_REFNIL)
      luaL_unref(L_, LUA_REGISTRYINDEX, ref_);
    ref_ = LUA_NOREF;
  }

 private:
  lua_State* L_ = nullptr;
  int ref_ = LUA_NOREF;
};

class plugin_state {
 public:
  // `label` names the plugin in logs and errors ("tick"), `path` is the file.
  plugin_state(std::string label, std::string path, const lua_options& opts);
  ~plugin_state();
  plugin_state(const plugin_state&) = delete;
  plugin_state& operator=(const plugin_state&) = delete;

  lua_State* L() const { return L_.get(); }
  const std::string& label() const { return label_; }
  const std::string& path() const { return path_; }
  // The compiled chunk (pushed by push_chunk).
  void push_chunk(lua_State* L) const { chunk_.push(L); }

  // Runs fn(ud) under lua_cpcall with the deadline armed. Returns "" or the error message.
  std::string call(lua_CFunction fn, void* ud);
  // Resumes `co` with `nargs` arguments on its stack. Returns the lua_resume status; on error
  // `err` gets the message and `trace` a traceback for the log.
  int resume(lua_State* co, int nargs, std::string& err, std::string& trace);

  // The plugin_state stored as upvalue 1 of the running C function (set-up code pushes it as a
  // light userdata when creating its closures).
  static plugin_state& from_upvalue(lua_State* L) {
    return *static_cast<plugin_state*>(lua_touserdata(L, lua_upvalueindex(1)));
  }

  // True while this state runs a call or resume (used to refuse re-entry).
  bool running() const { return running_; }
  // Bytes the state's allocator holds now.
  std::size_t memory_used() const noexcept { return alloc_->used; }

 private:
  friend struct running_scope;
  friend void count_hook(lua_State* L, lua_Debug* ar);
  std::string describe_error(lua_State* co, int status);

  struct closer {
    void operator()(lua_State* L) const { lua_close(L); }
  };

  std::string label_;
  std::string path_;
  lua_options opts_;
  std::unique_ptr<alloc_stats> alloc_ = std::make_unique<alloc_stats>();  // outlives L_
  bool soft_memory_ = false;  // no custom allocator: the cap is checked by the hook instead
  std::unique_ptr<lua_State, closer> L_;
  registry_ref chunk_;
  std::shared_ptr<watch_slot> slot_;
  std::chrono::steady_clock::time_point deadline_{};
  bool timed_out_ = false;
  bool running_ = false;
};

}  // namespace rb::sources::lua::detail
