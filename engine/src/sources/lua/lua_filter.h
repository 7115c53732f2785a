// lua_filter: an event filter from a Lua file returning function(event, args).
//
// The file runs once at creation (in its own sandboxed state, under the memory cap and the
// watchdog) and must return the function. apply() calls it with a fresh table for the event and
// the filter's args table: a returned table with keys is one event, a list of such tables is
// several, nil (or false) drops the event. Filters cannot yield: sleep is absent and
// coroutine.yield fails. apply() never throws; a Lua error is filter_result{ok = false}.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "filters/filter.h"
#include "sources/lua/lua_host.h"
#include "sources/lua/plugin_state.h"

namespace rb::sources::lua::detail {

class lua_filter final : public filters::event_filter {
 public:
  // Throws filters::filter_error ("<name>: <file>:<line>: <message>").
  lua_filter(std::string label, const std::string& path, const value& args,
             const lua_options& opts);
  ~lua_filter() override;
  filters::filter_result apply(value&& event, std::vector<value>& out) noexcept override;

 private:
  static int l_init(lua_State* L);
  static int l_apply(lua_State* L);

  std::string label_;
  std::unique_ptr<plugin_state> state_;
  registry_ref fn_;
  registry_ref args_;
  // The call in progress (l_apply reads and fills these).
  const value* init_args_ = nullptr;
  const value* event_ = nullptr;
  std::vector<value> results_;
};

}  // namespace rb::sources::lua::detail
