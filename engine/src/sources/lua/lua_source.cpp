#include "sources/lua/lua_source.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

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

  // http.request{...}: yields until the engine's HTTP client answers.
  lua_createtable(L, 0, 1);
  lua_pushlightuserdata(L, self);
  lua_pushcclosure(L, l_http_request, 1);
  lua_setfield(L, -2, "request");
  lua_setglobal(L, "http");

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

std::size_t lua_source::memory_bytes() const noexcept { return state_ ? state_->memory_used() : 0; }

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
    } else if (waiting_ == waiting::http) {
      push_http_result(co_, http_result_);
      http_result_ = {};
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
    case waiting::http:
      env().http->send(std::move(http_pending_),
                       [this, alive = std::weak_ptr<char>(alive_)](http_response r) {
                         if (alive.expired() || halted()) return;
                         http_result_ = std::move(r);
                         step();
                       });
      http_pending_ = {};
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

int lua_source::l_http_request(lua_State* L) {
  lua_source* self = self_of(L);
  luaL_checktype(L, 1, LUA_TTABLE);
  if (L != self->co_)
    return raise(L, "http.request must be called from main's coroutine, not one main created");
  if (self->env().http == nullptr) return raise(L, "http.request: no HTTP client in this engine");
  http_request req;
  const auto text = [&](const char* key, std::string& out, bool required) {
    lua_getfield(L, 1, key);
    if (lua_type(L, -1) == LUA_TSTRING) {
      std::size_t n = 0;
      const char* p = lua_tolstring(L, -1, &n);
      out.assign(p, n);
    } else if (!lua_isnil(L, -1) || required) {
      lua_pop(L, 1);
      return false;
    }
    lua_pop(L, 1);
    return true;
  };
  const auto flag = [&](const char* key, bool& out) {
    lua_getfield(L, 1, key);
    const bool ok = lua_isnil(L, -1) || lua_type(L, -1) == LUA_TBOOLEAN;
    if (lua_type(L, -1) == LUA_TBOOLEAN) out = lua_toboolean(L, -1) != 0;
    lua_pop(L, 1);
    return ok;
  };
  if (!text("url", req.url, true) || req.url.empty())
    return raise(L, "http.request: 'url' must be a string");
  if (!text("method", req.method, false))
    return raise(L, "http.request: 'method' must be a string");
  if (!text("body", req.body, false)) return raise(L, "http.request: 'body' must be a string");
  if (!flag("verify_ssl", req.verify_tls) || !flag("follow_redirects", req.follow_redirects))
    return raise(L, "http.request: 'verify_ssl' and 'follow_redirects' must be booleans");
  for (const auto& [key, out] : {std::pair<const char*, std::string*>{"ca_file", &req.ca_file},
                                 {"client_cert", &req.client_cert},
                                 {"client_key", &req.client_key},
                                 {"proxy", &req.proxy}})
    if (!text(key, *out, false))
      return raise(L, std::string("http.request: '") + key + "' must be a string");
  lua_getfield(L, 1, "ip_version");
  if (!lua_isnil(L, -1)) {
    const lua_Number v = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : 0;
    if (v != 4 && v != 6) return raise(L, "http.request: 'ip_version' must be 4 or 6");
    req.ip = v == 4 ? http_request::ip_family::v4 : http_request::ip_family::v6;
  }
  lua_pop(L, 1);
  lua_getfield(L, 1, "max_body_bytes");
  if (!lua_isnil(L, -1)) {
    if (lua_type(L, -1) != LUA_TNUMBER || !(lua_tonumber(L, -1) >= 0))
      return raise(L, "http.request: 'max_body_bytes' must be a number of bytes, 0 or more");
    req.max_body_bytes = static_cast<std::size_t>(std::min<lua_Number>(lua_tonumber(L, -1), 1e15));
  }
  lua_pop(L, 1);
  lua_getfield(L, 1, "timeout");
  if (!lua_isnil(L, -1)) {
    if (lua_type(L, -1) != LUA_TNUMBER || !(lua_tonumber(L, -1) > 0))
      return raise(L, "http.request: 'timeout' must be a number of seconds above 0");
    req.timeout = std::chrono::milliseconds(
        static_cast<std::int64_t>(std::min<lua_Number>(lua_tonumber(L, -1), 86400) * 1000));
  }
  lua_pop(L, 1);
  lua_getfield(L, 1, "headers");
  if (lua_type(L, -1) == LUA_TTABLE) {
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
      if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
        return raise(L, "http.request: 'headers' must map names to strings");
      req.headers.emplace_back(lua_tostring(L, -2), lua_tostring(L, -1));
      lua_pop(L, 1);
    }
  } else if (!lua_isnil(L, -1)) {
    return raise(L, "http.request: 'headers' must be a table");
  }
  lua_pop(L, 1);
  self->http_pending_ = std::move(req);
  self->waiting_ = waiting::http;
  return lua_yield(L, 0);
}

// {ok, status, headers, body, bytes, error, timings = {dns_ms, ...}}; status and headers only
// when a response came, error only when none did.
void lua_source::push_http_result(lua_State* L, const http_response& r) {
  lua_createtable(L, 0, 7);
  lua_pushboolean(L, r.responded);
  lua_setfield(L, -2, "ok");
  if (r.responded) {
    lua_pushnumber(L, static_cast<lua_Number>(r.status));
    lua_setfield(L, -2, "status");
    lua_createtable(L, 0, static_cast<int>(r.headers.size()));
    for (const auto& [name, value] : r.headers) {
      lua_pushlstring(L, value.data(), value.size());
      lua_setfield(L, -2, name.c_str());
    }
    lua_setfield(L, -2, "headers");
  } else {
    lua_pushlstring(L, r.error.data(), r.error.size());
    lua_setfield(L, -2, "error");
  }
  lua_pushlstring(L, r.body.data(), r.body.size());
  lua_setfield(L, -2, "body");
  lua_pushnumber(L, static_cast<lua_Number>(r.bytes));
  lua_setfield(L, -2, "bytes");
  if (!r.remote_ip.empty()) {
    lua_pushlstring(L, r.remote_ip.data(), r.remote_ip.size());
    lua_setfield(L, -2, "remote_ip");
  }
  if (r.cert_expires_at != 0) {
    lua_pushnumber(L, static_cast<lua_Number>(r.cert_expires_at));
    lua_setfield(L, -2, "cert_expires_at");
  }
  lua_createtable(L, 0, 6);
  const std::pair<const char*, double> phases[] = {
      {"dns_ms", r.time.dns_ms},           {"connect_ms", r.time.connect_ms},
      {"tls_ms", r.time.tls_ms},           {"ttfb_ms", r.time.ttfb_ms},
      {"transfer_ms", r.time.transfer_ms}, {"total_ms", r.time.total_ms}};
  for (const auto& [name, ms] : phases) {
    lua_pushnumber(L, ms);
    lua_setfield(L, -2, name);
  }
  lua_setfield(L, -2, "timings");
}

int lua_source::l_is_set(lua_State* L) {
  async_flag* flag = *static_cast<async_flag**>(luaL_checkudata(L, 1, flag_mt));
  lua_pushboolean(L, flag->is_set());
  return 1;
}

}  // namespace rb::sources::lua::detail
