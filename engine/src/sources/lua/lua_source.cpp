#include "sources/lua/lua_source.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <cstring>

#include "sources/lua/convert.h"

namespace rb::sources::lua::detail {

namespace {

const char* const flag_mt = "rulebook.event";

// Runs the chunk, finds main and tail-calls it, so that main's frames are the plugin's own.
const char* const prelude = R"lua(
local G, rawget, type, error = _G, rawget, type, error
return function(chunk, queue, args, path)
  local main = chunk()
  if type(main) ~= "function" then main = rawget(G, "main") end
  if type(main) ~= "function" then
    error(path .. ": the file must return a function main(queue, args) or define a global main", 0)
  end
  return main(queue, args)
end
)lua";

// Raises `msg` with the caller's position, like luaL_error but for a std::string message.
int raise(lua_State* L, const std::string& msg) {
  luaL_where(L, 1);
  lua_pushlstring(L, msg.data(), msg.size());
  lua_concat(L, 2);
  return lua_error(L);
}

lua_source* self_of(lua_State* L) {
  return static_cast<lua_source*>(lua_touserdata(L, lua_upvalueindex(1)));
}

}  // namespace

int lua_source::l_setup(lua_State* L) {
  auto* self = static_cast<lua_source*>(lua_touserdata(L, 1));
  lua_settop(L, 0);

  lua_pushlightuserdata(L, self);
  lua_pushcclosure(L, l_sleep, 1);
  lua_setglobal(L, "sleep");

  // The three HA flags: userdata with :wait() and :is_set().
  luaL_newmetatable(L, flag_mt);
  lua_createtable(L, 0, 2);
  lua_pushlightuserdata(L, self);
  lua_pushcclosure(L, l_wait, 1);
  lua_setfield(L, -2, "wait");
  lua_pushcfunction(L, l_is_set);
  lua_setfield(L, -2, "is_set");
  lua_setfield(L, -2, "__index");
  lua_pushliteral(L, "rulebook event flag");
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 1);

  // Stack for the first resume: body, chunk, queue, args, path.
  if (luaL_loadbuffer(L, prelude, std::strlen(prelude), "=rulebook prelude") != 0)
    return lua_error(L);
  lua_call(L, 0, 1);
  self->state_->push_chunk(L);

  lua_createtable(L, 0, 1);
  lua_pushlightuserdata(L, self);
  lua_pushcclosure(L, l_put, 1);
  lua_setfield(L, -2, "put");

  const value& args = *self->setup_args_;
  if (args.is_object()) {
    push_value(L, args);
  } else {
    lua_newtable(L);
  }
  const auto push_flag = [&](async_flag& f, const char* name) {
    auto** ud = static_cast<async_flag**>(lua_newuserdata(L, sizeof(async_flag*)));
    *ud = &f;
    luaL_getmetatable(L, flag_mt);
    lua_setmetatable(L, -2);
    lua_setfield(L, -2, name);
  };
  push_flag(self->signals_->leader, "leader_event");
  push_flag(self->signals_->follower, "follower_event");
  push_flag(self->signals_->shutdown, "shutdown_event");
  lua_pushboolean(L, self->signals_->ha_mode);
  lua_setfield(L, -2, "ha");

  const std::string& path = self->state_->path();
  lua_pushlstring(L, path.data(), path.size());

  lua_State* co = lua_newthread(L);
  lua_insert(L, 1);
  lua_xmove(L, co, 5);
  self->co_ = co;
  self->co_ref_ = registry_ref(L);  // pops the thread
  return 0;
}

lua_source::lua_source(std::string label, const std::string& path, const value& args,
                       source_env env, const lua_options& opts)
    : builtin_source("lua", std::move(env)), label_(std::move(label)) {
  if (!args.is_null() && !args.is_object())
    throw source_error(label_ + ": the source's arguments must be a mapping, got " + args.dump());
  signals_ = this->env().signals;
  if (signals_ == nullptr) {
    own_signals_ = std::make_unique<ha_signals>(*this->env().io);
    own_signals_->leader.set();
    signals_ = own_signals_.get();
  }
  try {
    state_ = std::make_unique<plugin_state>(label_, path, opts);
  } catch (const std::exception& e) {
    throw source_error(label_ + ": " + e.what());
  }
  setup_args_ = &args;
  const std::string err = state_->call(l_setup, this);
  setup_args_ = nullptr;
  if (!err.empty()) throw source_error(label_ + ": " + err);
}

lua_source::~lua_source() {
  co_ref_.reset();
  state_.reset();
}

void lua_source::step() {
  int nargs = 0;
  if (first_resume_) {
    first_resume_ = false;
    nargs = 4;  // chunk, queue, args, path (the body sits below them)
  } else {
    lua_settop(co_, 0);  // whatever a bare coroutine.yield() passed out
    if (waiting_ == waiting::flag) {
      lua_pushboolean(co_, 1);  // ev:wait() returns true, as asyncio's Event.wait does
      nargs = 1;
    }
  }
  waiting_ = waiting::none;
  puts_since_yield_ = 0;
  std::string err, trace;
  const int status = state_->resume(co_, nargs, err, trace);
  if (halted()) return;  // stop() ran inside the resume (e.g. the sink's filter failed)
  if (status == LUA_YIELD) {
    schedule();
  } else if (status == 0) {
    finish(source_end::finished);
  } else {
    spdlog::error("Lua source {} failed: {}\n{}", label_, err, trace);
    finish(source_end::failed, label_ + ": " + err);
  }
}

void lua_source::schedule() {
  switch (waiting_) {
    case waiting::sink:
      when_ready_then_step();
      return;
    case waiting::sleep:
      wait_then_step(sleep_for_);
      return;
    case waiting::flag:
      wait_flag_->when_set([this, alive = std::weak_ptr<char>(alive_)] {
        if (alive.expired() || halted()) return;
        step();
      });
      return;
    case waiting::halted:
      return;
    case waiting::none:  // fairness, or a bare coroutine.yield(): let the loop run, go on
      yield_then_step();
      return;
  }
}

int lua_source::l_put(lua_State* L) {
  lua_source* self = self_of(L);
  if (L != self->co_)
    return raise(L, "queue:put must be called from main's coroutine, not one main created");
  if (lua_type(L, 2) != LUA_TTABLE) {
    if (lua_gettop(L) == 1 && lua_type(L, 1) == LUA_TTABLE)
      return raise(L, "queue:put(event) is a method: write queue:put(event), not queue.put(event)");
    return raise(L, std::string("queue:put expects an event table, got ") + luaL_typename(L, 2));
  }
  if (self->halted()) {
    self->waiting_ = waiting::halted;
    return lua_yield(L, 0);
  }
  value event;
  std::string err = to_value(L, 2, event);
  if (err.empty() && !event.is_object()) err = "an event must be a table with keys, not a list";
  if (err.empty()) {
    bool more = false;
    try {
      more = self->sink().put(std::move(event));
    } catch (const std::exception& e) {
      err = std::string("the engine refused the event: ") + e.what();
    }
    if (err.empty()) {
      if (self->halted()) {
        self->waiting_ = waiting::halted;
        return lua_yield(L, 0);
      }
      if (!more) {
        self->waiting_ = waiting::sink;
        return lua_yield(L, 0);
      }
      if (++self->puts_since_yield_ >= sources::detail::batch_size) {
        self->waiting_ = waiting::none;
        return lua_yield(L, 0);
      }
      return 0;
    }
  }
  return raise(L, "queue:put: " + err);
}

int lua_source::l_sleep(lua_State* L) {
  lua_source* self = self_of(L);
  lua_Number s = luaL_checknumber(L, 1);
  if (L != self->co_)
    return raise(L, "sleep must be called from main's coroutine, not one main created");
  // Like asyncio.sleep: a negative delay is no delay. Capped so the duration cannot overflow.
  if (!(s > 0)) s = 0;
  s = std::min(s, 1e9);
  self->sleep_for_ = std::chrono::nanoseconds(static_cast<std::int64_t>(s * 1e9));
  self->waiting_ = waiting::sleep;
  return lua_yield(L, 0);
}

int lua_source::l_wait(lua_State* L) {
  lua_source* self = self_of(L);
  async_flag* flag = *static_cast<async_flag**>(luaL_checkudata(L, 1, flag_mt));
  if (flag->is_set()) {
    lua_pushboolean(L, 1);
    return 1;
  }
  if (L != self->co_)
    return raise(L, "wait must be called from main's coroutine, not one main created");
  self->waiting_ = waiting::flag;
  self->wait_flag_ = flag;
  return lua_yield(L, 0);
}

int lua_source::l_is_set(lua_State* L) {
  async_flag* flag = *static_cast<async_flag**>(luaL_checkudata(L, 1, flag_mt));
  lua_pushboolean(L, flag->is_set());
  return 1;
}

}  // namespace rb::sources::lua::detail
