#include "sources/lua/plugin_state.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/last_words.h"
#include "sources/lua/convert.h"

namespace rb::sources::lua::detail {

namespace {

// The state whose Lua code is running on this thread: the count hook needs it and a lua_State
// cannot carry a cheap pointer for a hook. Saved and restored, because a filter's call can run
// inside a source's resume (the sink applies filters inside queue:put).
thread_local plugin_state* current = nullptr;

// Instructions between two watchdog checks: the check is one clock read, so this is cheap, and
// ~10 µs of interpreted code between checks keeps the deadline accurate.
constexpr int hook_count = 10000;

const char* const known_allow[] = {"io", "os", "debug", "ffi", "jit", "package", "bytecode"};

void* capped_alloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize) {
  auto* a = static_cast<alloc_stats*>(ud);
  const std::size_t old = ptr != nullptr ? osize : 0;
  if (nsize == 0) {
    a->used -= old;
    a->inner(a->inner_ud, ptr, osize, 0);
    return nullptr;
  }
  // Only growth can be refused: Lua assumes shrinking never fails.
  if (nsize > old && a->limit != 0 && !a->unlimited && a->used - old + nsize > a->limit)
    return nullptr;
  void* p = a->inner(a->inner_ud, ptr, osize, nsize);
  if (p == nullptr) return nullptr;
  a->used = a->used - old + nsize;
  a->peak = std::max(a->peak, a->used);
  return p;
}

int at_panic(lua_State* L) {
  const char* msg = lua_tostring(L, -1);
  spdlog::critical("{}: unprotected Lua error ({}); ending the process",
                   current != nullptr ? current->label() : std::string("lua"),
                   msg != nullptr ? msg : "?");
  spdlog::default_logger()->flush();
  last_words::say_all();
  std::_Exit(watchdog_exit_code);
}

std::string mib(std::size_t bytes) {
  std::ostringstream o;
  o << static_cast<double>(bytes) / (1 << 20) << " MiB";
  return o.str();
}

// "...ong/path/x.lua:3: msg" → "/the/long/path/x.lua:3: msg": LuaJIT shortens chunk names to
// 60 characters in messages; the full path is more useful.
std::string expand_path(std::string msg, const std::string& path) {
  if (msg.rfind("...", 0) != 0) return msg;
  const auto colon = msg.find(':', 3);
  if (colon == std::string::npos) return msg;
  const std::string_view tail(msg.data() + 3, colon - 3);
  if (path.size() >= tail.size() && path.compare(path.size() - tail.size(), tail.size(), tail) == 0)
    return path + msg.substr(colon);
  return msg;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read the file: " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Joins the arguments with tabs like print(), through the original tostring (upvalue 2).
std::string join_args(lua_State* L) {
  const int n = lua_gettop(L);
  std::string out;
  for (int i = 1; i <= n; ++i) {
    if (i > 1) out += ' ';
    std::size_t len = 0;
    const char* s = nullptr;
    if (lua_type(L, i) == LUA_TSTRING) {
      s = lua_tolstring(L, i, &len);
      out.append(s, len);
      continue;
    }
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_pushvalue(L, i);
    lua_call(L, 1, 1);
    s = lua_tolstring(L, -1, &len);
    if (s != nullptr) out.append(s, len);
    lua_pop(L, 1);
  }
  return out;
}

template <spdlog::level::level_enum Level>
int l_log(lua_State* L) {
  if (!spdlog::should_log(Level)) return 0;
  auto& s = plugin_state::from_upvalue(L);
  const std::string msg = join_args(L);
  spdlog::log(Level, "{}: {}", s.label(), msg);
  return 0;
}

int l_now(lua_State* L) {
  const auto t = std::chrono::system_clock::now().time_since_epoch();
  lua_pushnumber(L, std::chrono::duration<double>(t).count());
  return 1;
}

int l_json_encode(lua_State* L) {
  luaL_checkany(L, 1);
  const int indent = static_cast<int>(luaL_optinteger(L, 2, -1));
  value v;
  std::string err = to_value(L, 1, v);
  if (err.empty()) {
    try {
      err = v.dump(indent);
      lua_pushlstring(L, err.data(), err.size());
      return 1;
    } catch (const std::exception& e) {
      err = e.what();
    }
  }
  lua_pushfstring(L, "json.encode: %s", err.c_str());
  err.clear();
  return lua_error(L);
}

int l_json_decode(lua_State* L) {
  std::size_t n = 0;
  const char* s = luaL_checklstring(L, 1, &n);
  value v;
  std::string err;
  try {
    v = value::parse(s, s + n);
  } catch (const std::exception& e) {
    err = e.what();
  }
  if (!err.empty()) {
    lua_pushfstring(L, "json.decode: %s", err.c_str());
    err.clear();
    return lua_error(L);
  }
  push_value(L, v);
  return 1;
}

int l_json_array(lua_State* L) {
  if (lua_isnoneornil(L, 1)) {
    lua_newtable(L);
  } else {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
  }
  mark_array(L, -1);
  return 1;
}

// Text-only chunks: bytecode skips the verifier LuaJIT does not have, so it can corrupt memory.
const char* const sandbox_lua = R"lua(
local load, allow_bytecode = load, ...
if not allow_bytecode then
  _G.load = function(chunk, name, mode, env) return load(chunk, name, "t", env) end
  _G.loadstring = function(s, name) return load(s, name, "t") end
end
)lua";

struct setup_args {
  plugin_state* self;
  const lua_options* opts;
  const std::string* source;
  std::string chunkname;
  int chunk_status = 0;
  int chunk_ref = LUA_NOREF;
};

bool allowed(const lua_options& o, std::string_view lib) {
  return std::find(o.allow.begin(), o.allow.end(), lib) != o.allow.end();
}

void drop_loaded(lua_State* L, const char* name) {
  lua_getfield(L, LUA_REGISTRYINDEX, "_LOADED");
  lua_pushnil(L);
  lua_setfield(L, -2, name);
  lua_pop(L, 1);
  lua_pushnil(L);
  lua_setglobal(L, name);
}

int setup(lua_State* L) {
  auto* a = static_cast<setup_args*>(lua_touserdata(L, 1));
  const lua_options& o = *a->opts;
  luaL_openlibs(L);
  create_array_mt(L);

  if (!allowed(o, "io")) {
    drop_loaded(L, "io");
    lua_pushnil(L);
    lua_setglobal(L, "dofile");
    lua_pushnil(L);
    lua_setglobal(L, "loadfile");
  }
  if (!allowed(o, "os")) {
    // Keep the harmless clock functions.
    lua_getglobal(L, "os");
    lua_createtable(L, 0, 4);
    for (const char* f : {"time", "clock", "date", "difftime"}) {
      lua_getfield(L, -2, f);
      lua_setfield(L, -2, f);
    }
    lua_getfield(L, LUA_REGISTRYINDEX, "_LOADED");
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "os");
    lua_pop(L, 1);
    lua_setglobal(L, "os");
    lua_pop(L, 1);
  }
  if (!allowed(o, "debug")) drop_loaded(L, "debug");
  if (!allowed(o, "ffi")) {
    // ffi is only reachable through require, which finds it in package.preload.
    lua_getglobal(L, "package");
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "preload");
      if (lua_istable(L, -1)) {
        lua_pushnil(L);
        lua_setfield(L, -2, "ffi");
      }
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
    drop_loaded(L, "ffi");
  }
  if (!allowed(o, "jit")) {
    // The JIT compiler stays off so that the count hook sees every loop (compiled traces never
    // run hooks); `jit` in --lua-allow trades that for speed.
    luaJIT_setmode(L, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_OFF);
    for (const char* m : {"jit", "jit.opt", "jit.util", "jit.profile"}) drop_loaded(L, m);
  }
  if (!allowed(o, "package")) {
    drop_loaded(L, "package");
    lua_pushnil(L);
    lua_setglobal(L, "require");
    lua_pushnil(L);
    lua_setglobal(L, "module");
  }
  if (luaL_loadbuffer(L, sandbox_lua, std::strlen(sandbox_lua), "=rulebook sandbox") != 0)
    return lua_error(L);
  lua_pushboolean(L, allowed(o, "bytecode"));
  lua_call(L, 1, 0);

  // The API every plugin sees.
  auto* self = a->self;
  lua_getglobal(L, "tostring");
  const int tostring_idx = lua_gettop(L);
  lua_createtable(L, 0, 6);
  const auto add_log = [&](const char* name, lua_CFunction f) {
    lua_pushlightuserdata(L, self);
    lua_pushvalue(L, tostring_idx);
    lua_pushcclosure(L, f, 2);
    lua_setfield(L, -2, name);
  };
  add_log("debug", l_log<spdlog::level::debug>);
  add_log("info", l_log<spdlog::level::info>);
  add_log("warning", l_log<spdlog::level::warn>);
  add_log("warn", l_log<spdlog::level::warn>);
  add_log("error", l_log<spdlog::level::err>);
  add_log("critical", l_log<spdlog::level::critical>);
  lua_setglobal(L, "log");
  lua_pushlightuserdata(L, self);
  lua_pushvalue(L, tostring_idx);
  lua_pushcclosure(L, l_log<spdlog::level::info>, 2);
  lua_setglobal(L, "print");
  lua_pop(L, 1);

  lua_createtable(L, 0, 4);
  lua_pushcfunction(L, l_json_encode);
  lua_setfield(L, -2, "encode");
  lua_pushcfunction(L, l_json_decode);
  lua_setfield(L, -2, "decode");
  lua_pushcfunction(L, l_json_array);
  lua_setfield(L, -2, "array");
  push_null(L);
  lua_setfield(L, -2, "null");
  lua_setglobal(L, "json");
  lua_pushcfunction(L, l_now);
  lua_setglobal(L, "now");

  // Text only: a bytecode file is refused like a bytecode string.
  a->chunk_status =
      luaL_loadbufferx(L, a->source->data(), a->source->size(), a->chunkname.c_str(), "t");
  if (a->chunk_status != 0) return lua_error(L);
  a->chunk_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

}  // namespace

void count_hook(lua_State* L, lua_Debug*) {
  plugin_state* s = current;
  if (s == nullptr) return;
  if (s->soft_memory_ && s->alloc_->limit != 0 &&
      static_cast<std::size_t>(lua_gc(L, LUA_GCCOUNT, 0)) * 1024 > s->alloc_->limit) {
    // reported below as a memory error
  } else if (std::chrono::steady_clock::now() >= s->deadline_) {
    if (!s->timed_out_) {
      s->timed_out_ = true;
      // From now on every instruction raises: a pcall that catches the error gets control back
      // only to fail again in its caller, so the error reaches the top of the resume.
      lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
    }
  } else {
    return;
  }
  lua_Debug ar;
  std::string where = s->path();
  if (lua_getstack(L, 0, &ar) != 0 && lua_getinfo(L, "Sl", &ar) != 0 && ar.currentline > 0) {
    where = (ar.source != nullptr && ar.source[0] == '@') ? ar.source + 1 : ar.short_src;
    where += ":" + std::to_string(ar.currentline);
  }
  if (s->timed_out_) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(s->opts_.watchdog);
    lua_pushfstring(L, "%s: watchdog: ran for more than %d ms without yielding", where.c_str(),
                    static_cast<int>(ms.count()));
  } else {
    lua_pushfstring(L, "%s: memory limit of %s exceeded", where.c_str(),
                    mib(s->alloc_->limit).c_str());
  }
  where.clear();
  where.shrink_to_fit();
  lua_error(L);
}

struct running_scope {
  plugin_state* s;
  plugin_state* prev;
  explicit running_scope(plugin_state* st) : s(st), prev(current) {
    current = s;
    const auto now = std::chrono::steady_clock::now();
    s->deadline_ = now + s->opts_.watchdog;
    if (s->timed_out_) {
      s->timed_out_ = false;
      lua_sethook(s->L(), count_hook, LUA_MASKCOUNT, hook_count);
    }
    s->running_ = true;
    s->slot_->begin(now);
  }
  ~running_scope() {
    s->slot_->end();
    s->running_ = false;
    current = prev;
  }
};

plugin_state::plugin_state(std::string label, std::string path, const lua_options& opts)
    : label_(std::move(label)), path_(std::move(path)), opts_(opts) {
  for (const auto& lib : opts_.allow) {
    if (std::find(std::begin(known_allow), std::end(known_allow), lib) == std::end(known_allow))
      throw std::runtime_error("unknown --lua-allow library '" + lib +
                               "' (known: io, os, debug, ffi, jit, package, bytecode)");
  }
  if (opts_.watchdog.count() <= 0) throw std::runtime_error("the Lua watchdog must be positive");
  const std::string source = read_file(path_);

  alloc_->limit = opts_.memory_limit;
  alloc_->inner = small_pool::alloc;
  alloc_->inner_ud = &alloc_->pool;
  L_.reset(lua_newstate(capped_alloc, alloc_.get()));
  if (!L_) {
    // Builds that refuse a custom allocator (x86-64 without GC64) return NULL: fall back to
    // LuaJIT's allocator and check the heap size from the count hook.
    if (alloc_->limit != 0 && alloc_->used > alloc_->limit)
      throw std::runtime_error(path_ + ": --lua-memory-limit " + mib(alloc_->limit) +
                               " is too small to create a Lua state");
    L_.reset(luaL_newstate());
    soft_memory_ = true;
    if (!L_) throw std::runtime_error(path_ + ": cannot create a Lua state");
  }
  lua_State* L = L_.get();
  lua_atpanic(L, at_panic);
  slot_ = enrol(label_, opts_.watchdog + opts_.watchdog_grace);

  setup_args a{this, &opts_, &source, "@" + path_};
  {
    running_scope run(this);
    const int status = lua_cpcall(L, setup, &a);
    if (status != 0) {
      std::string msg = describe_error(L, status);
      lua_settop(L, 0);
      if (a.chunk_status == LUA_ERRSYNTAX && msg.find("wrong mode") != std::string::npos)
        msg = path_ + ": precompiled (bytecode) files are refused; load the Lua source text";
      throw std::runtime_error(msg);
    }
  }
  chunk_ = registry_ref::adopt(L, a.chunk_ref);
  lua_sethook(L, count_hook, LUA_MASKCOUNT, hook_count);
}

plugin_state::~plugin_state() = default;

std::string plugin_state::describe_error(lua_State* co, int status) {
  alloc_->unlimited = true;  // building the message must not fail on the cap that caused it
  std::string msg;
  if (status == LUA_ERRMEM) {
    std::string where = path_;
    lua_Debug ar;
    for (int level = 0; lua_getstack(co, level, &ar) != 0; ++level) {
      if (lua_getinfo(co, "Sl", &ar) != 0 && ar.currentline > 0 && ar.source != nullptr &&
          ar.source[0] == '@') {
        where = std::string(ar.source + 1) + ":" + std::to_string(ar.currentline);
        break;
      }
    }
    msg = where + ": memory limit of " + mib(alloc_->limit) + " exceeded";
  } else if (lua_type(co, -1) == LUA_TSTRING || lua_type(co, -1) == LUA_TNUMBER) {
    msg = expand_path(lua_tostring(co, -1), path_);
  } else {
    msg = path_ + ": error object is a " + std::string(luaL_typename(co, -1)) + " value";
  }
  alloc_->unlimited = false;
  return msg;
}

std::string plugin_state::call(lua_CFunction fn, void* ud) {
  lua_State* L = L_.get();
  running_scope run(this);
  const int status = lua_cpcall(L, fn, ud);
  if (status == 0) return {};
  std::string msg = describe_error(L, status);
  lua_pop(L, 1);
  return msg;
}

int plugin_state::resume(lua_State* co, int nargs, std::string& err, std::string& trace) {
  int status;
  {
    running_scope run(this);
    status = lua_resume(co, nargs);
  }
  if (status == 0 || status == LUA_YIELD) return status;
  err = describe_error(co, status);
  alloc_->unlimited = true;
  luaL_traceback(L_.get(), co, nullptr, 0);
  trace = lua_tostring(L_.get(), -1);
  lua_pop(L_.get(), 1);
  alloc_->unlimited = false;
  return status;
}

}  // namespace rb::sources::lua::detail
