// lua_source: a source whose events come from a Lua file's main(queue, args), run as a coroutine
// on the engine's loop.
//
// Each yield point of the Lua API records why it yielded (sink full, sleep, waiting for a flag,
// fairness after batch_size puts) and the driver (step) schedules exactly one continuation for
// it through builtin_source, which owns the contract: start()/stop() never call done()
// synchronously, done() is called once, late continuations after stop or destruction do nothing.
// A put that does not need to wait returns to Lua without yielding.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "sources/builtin/builtin_source.h"
#include "sources/lua/lua_host.h"
#include "sources/lua/plugin_state.h"

namespace rb::sources::lua::detail {

class lua_source final : public sources::detail::builtin_source {
 public:
  // Throws source_error ("<plugin>: <file>:<line>: <message>") for load errors.
  lua_source(std::string label, const std::string& path, const value& args, source_env env,
             const lua_options& opts);
  ~lua_source() override;
  bool reports_memory() const noexcept override { return true; }
  std::size_t memory_bytes() const noexcept override;

 private:
  enum class waiting { none, sink, sleep, flag, http, halted };

  void step() override;
  void schedule();

  static int l_setup(lua_State* L);
  static int l_put(lua_State* L);
  static int l_sleep(lua_State* L);
  static int l_wait(lua_State* L);
  static int l_is_set(lua_State* L);
  static int l_http_request(lua_State* L);
  void push_http_result(lua_State* L, const http_response& r);

  std::string label_;
  const value* setup_args_ = nullptr;        // only during construction
  std::unique_ptr<ha_signals> own_signals_;  // standalone (tests): leader set from the start
  ha_signals* signals_ = nullptr;
  std::unique_ptr<plugin_state> state_;
  lua_State* co_ = nullptr;  // the coroutine running main; anchored by co_ref_
  registry_ref co_ref_;
  bool first_resume_ = true;
  waiting waiting_ = waiting::none;
  std::chrono::nanoseconds sleep_for_{0};
  async_flag* wait_flag_ = nullptr;
  http_request http_pending_;  // what http.request yielded to send
  http_response http_result_;  // its answer, handed back on the next resume
  int puts_since_yield_ = 0;
  // Flag waiters hold a weak reference: they may fire after stop() or destruction.
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace rb::sources::lua::detail
