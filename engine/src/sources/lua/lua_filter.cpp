#include "sources/lua/lua_filter.h"

#include "sources/lua/convert.h"

namespace rb::sources::lua::detail {

namespace {

// Lua tables have no key order, so a returned event would come out in hash order. Keys that were
// in the incoming event keep its order (recursively), new keys follow: a filter that adds or
// changes a field leaves the rest of the event looking the same.
void order_like(value& result, const value& original) {
  if (result.is_array() && original.is_array() && result.size() == original.size()) {
    for (std::size_t i = 0; i < result.size(); ++i) order_like(result[i], original[i]);
    return;
  }
  if (!result.is_object() || !original.is_object() || result.size() < 2) return;
  auto& from = result.get_ref<value::object_t&>();
  value::object_t ordered;
  ordered.reserve(from.size());
  std::vector<bool> taken(from.size(), false);
  const auto take = [&](std::size_t i) {
    auto& [key, v] = *(from.begin() + static_cast<std::ptrdiff_t>(i));
    taken[i] = true;
    ordered.emplace_back(std::piecewise_construct, std::forward_as_tuple(key),
                         std::forward_as_tuple(std::move(v)));
  };
  for (const auto& [key, orig] : original.items()) {
    for (std::size_t i = 0; i < from.size(); ++i) {
      auto& entry = *(from.begin() + static_cast<std::ptrdiff_t>(i));
      if (taken[i] || entry.first != key) continue;
      order_like(entry.second, orig);
      take(i);
      break;
    }
  }
  for (std::size_t i = 0; i < from.size(); ++i)
    if (!taken[i]) take(i);
  result = value(std::move(ordered));
}

}  // namespace

int lua_filter::l_init(lua_State* L) {
  auto* self = static_cast<lua_filter*>(lua_touserdata(L, 1));
  lua_settop(L, 0);
  self->state_->push_chunk(L);
  lua_call(L, 0, 1);
  if (lua_type(L, -1) != LUA_TFUNCTION) {
    const std::string msg = self->state_->path() +
                            ": a filter file must return function(event, args), got " +
                            luaL_typename(L, -1);
    lua_pushlstring(L, msg.data(), msg.size());
    return lua_error(L);
  }
  self->fn_ = registry_ref(L);
  if (self->init_args_->is_object())
    push_value(L, *self->init_args_);
  else
    lua_newtable(L);
  self->args_ = registry_ref(L);
  return 0;
}

lua_filter::lua_filter(std::string label, const std::string& path, const value& args,
                       const lua_options& opts)
    : label_(std::move(label)) {
  if (!args.is_null() && !args.is_object())
    throw filters::filter_error(label_ + ": the filter's arguments must be a mapping, got " +
                                args.dump());
  try {
    state_ = std::make_unique<plugin_state>(label_, path, opts);
  } catch (const std::exception& e) {
    throw filters::filter_error(label_ + ": " + e.what());
  }
  init_args_ = &args;
  const std::string err = state_->call(l_init, this);
  init_args_ = nullptr;
  if (!err.empty()) throw filters::filter_error(label_ + ": " + err);
}

lua_filter::~lua_filter() {
  fn_.reset();
  args_.reset();
  state_.reset();
}

int lua_filter::l_apply(lua_State* L) {
  auto* self = static_cast<lua_filter*>(lua_touserdata(L, 1));
  lua_settop(L, 0);
  self->fn_.push(L);
  push_value(L, *self->event_);
  self->args_.push(L);
  lua_call(L, 2, 1);
  const int t = lua_type(L, 1);
  if (t == LUA_TNIL || (t == LUA_TBOOLEAN && !lua_toboolean(L, 1))) return 0;
  std::string err;
  if (t != LUA_TTABLE) {
    err = std::string("a filter must return an event table, a list of them or nil, got ") +
          luaL_typename(L, 1);
  } else {
    value result;
    err = to_value(L, 1, result);
    if (err.empty() && result.is_object()) {
      order_like(result, *self->event_);
      self->results_.push_back(std::move(result));
    } else if (err.empty()) {
      auto& list = result.get_ref<value::array_t&>();
      for (std::size_t i = 0; i < list.size() && err.empty(); ++i) {
        if (!list[i].is_object())
          err = "the returned list holds a " + std::string(list[i].type_name()) + " at [" +
                std::to_string(i + 1) + "], not an event table";
      }
      if (err.empty())
        for (auto& e : list) self->results_.push_back(std::move(e));
    }
  }
  if (err.empty()) return 0;
  err = self->state_->path() + ": " + err;
  lua_pushlstring(L, err.data(), err.size());
  err.clear();
  return lua_error(L);
}

filters::filter_result lua_filter::apply(value&& event, std::vector<value>& out) noexcept {
  filters::filter_result r;
  try {
    const value in = std::move(event);
    event_ = &in;
    results_.clear();
    const std::string err = state_->call(l_apply, this);
    event_ = nullptr;
    if (!err.empty()) {
      results_.clear();
      r.ok = false;
      r.error = label_ + ": " + err;
      return r;
    }
    for (auto& e : results_) out.push_back(std::move(e));
    results_.clear();
  } catch (const std::exception& e) {
    r.ok = false;
    r.error = label_ + ": " + e.what();
  }
  return r;
}

}  // namespace rb::sources::lua::detail
