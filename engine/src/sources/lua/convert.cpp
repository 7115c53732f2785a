#include "sources/lua/convert.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <vector>

namespace rb::sources::lua::detail {

namespace {

// Addresses used as unique light-userdata keys and values.
char null_tag;
char array_mt_key;

constexpr int max_depth = 128;

void push_array_mt(lua_State* L) {
  lua_pushlightuserdata(L, &array_mt_key);
  lua_rawget(L, LUA_REGISTRYINDEX);
}

void push_rec(lua_State* L, const value& v, int array_mt, int depth) {
  if (depth > max_depth) luaL_error(L, "JSON value nested more than %d levels", max_depth);
  switch (v.type()) {
    case value::value_t::null:
      push_null(L);
      return;
    case value::value_t::boolean:
      lua_pushboolean(L, v.get<bool>());
      return;
    case value::value_t::number_integer:
      lua_pushnumber(L, static_cast<lua_Number>(v.get<std::int64_t>()));
      return;
    case value::value_t::number_unsigned:
      lua_pushnumber(L, static_cast<lua_Number>(v.get<std::uint64_t>()));
      return;
    case value::value_t::number_float:
      lua_pushnumber(L, v.get<double>());
      return;
    case value::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      lua_pushlstring(L, s.data(), s.size());
      return;
    }
    case value::value_t::array: {
      luaL_checkstack(L, 4, "JSON value nested too deeply");
      const auto& a = v.get_ref<const value::array_t&>();
      lua_createtable(L, static_cast<int>(a.size()), 0);
      int i = 0;
      for (const auto& e : a) {
        push_rec(L, e, array_mt, depth + 1);
        lua_rawseti(L, -2, ++i);
      }
      lua_pushvalue(L, array_mt);
      lua_setmetatable(L, -2);
      return;
    }
    case value::value_t::object: {
      luaL_checkstack(L, 4, "JSON value nested too deeply");
      const auto& o = v.get_ref<const value::object_t&>();
      lua_createtable(L, 0, static_cast<int>(o.size()));
      for (const auto& [k, e] : o) {
        lua_pushlstring(L, k.data(), k.size());
        push_rec(L, e, array_mt, depth + 1);
        lua_rawset(L, -3);
      }
      return;
    }
    case value::value_t::binary: {
      const auto& b = v.get_binary();
      lua_pushlstring(L, reinterpret_cast<const char*>(b.data()), b.size());
      return;
    }
    case value::value_t::discarded:
      lua_pushnil(L);
      return;
  }
}

std::string number_key(lua_Number d) {
  char buf[32];
  if (d == std::floor(d) && std::fabs(d) < 9.2e18) {
    auto r = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(d));
    return std::string(buf, r.ptr);
  }
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

class to_json {
 public:
  explicit to_json(lua_State* L, int array_mt) : L_(L), array_mt_(array_mt) {}

  // Returns false with err_ set; err_ grows the path as the recursion unwinds.
  bool convert(int idx, value& out, int depth) {
    switch (lua_type(L_, idx)) {
      case LUA_TNIL:
        out = nullptr;
        return true;
      case LUA_TBOOLEAN:
        out = lua_toboolean(L_, idx) != 0;
        return true;
      case LUA_TNUMBER: {
        const lua_Number d = lua_tonumber(L_, idx);
        if (!std::isfinite(d)) return fail("NaN and infinity are not valid JSON");
        // Lua 5.1 has only doubles: integral values become JSON integers.
        if (d == std::floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
          out = static_cast<std::int64_t>(d);
        else
          out = d;
        return true;
      }
      case LUA_TSTRING: {
        std::size_t n = 0;
        const char* s = lua_tolstring(L_, idx, &n);
        if (!valid_utf8(s, n)) return fail("string is not valid UTF-8");
        out = std::string(s, n);
        return true;
      }
      case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L_, idx) == &null_tag) {
          out = nullptr;
          return true;
        }
        return fail("cannot convert a userdata to JSON");
      case LUA_TTABLE:
        return table(idx, out, depth);
      default:
        return fail(std::string("cannot convert a ") + lua_typename(L_, lua_type(L_, idx)) +
                    " to JSON");
    }
  }

  std::string& error() { return err_; }

 private:
  bool fail(std::string msg) {
    err_ = ": " + std::move(msg);
    return false;
  }

  bool table(int idx, value& out, int depth) {
    if (depth >= max_depth) return fail("tables nested too deeply (or a cycle)");
    if (!lua_checkstack(L_, 4)) return fail("tables nested too deeply");
    const std::size_t n = lua_objlen(L_, idx);
    bool marked = false;
    if (lua_getmetatable(L_, idx)) {
      marked = lua_rawequal(L_, -1, array_mt_) != 0;
      lua_pop(L_, 1);
    }
    if (n > 0 || marked) {
      if (is_sequence(idx, n)) return array(idx, n, out, depth);
    }
    return object(idx, out, depth);
  }

  // True when the keys of the table are exactly 1..n.
  bool is_sequence(int idx, std::size_t n) {
    std::size_t count = 0;
    lua_pushnil(L_);
    while (lua_next(L_, idx) != 0) {
      lua_pop(L_, 1);
      if (lua_type(L_, -1) != LUA_TNUMBER) {
        lua_pop(L_, 1);
        return false;
      }
      const lua_Number k = lua_tonumber(L_, -1);
      if (k < 1 || k > static_cast<lua_Number>(n) || k != std::floor(k) || ++count > n) {
        lua_pop(L_, 1);
        return false;
      }
    }
    return count == n;
  }

  bool array(int idx, std::size_t n, value& out, int depth) {
    out = value::array();
    auto& a = out.get_ref<value::array_t&>();
    a.reserve(n);
    for (std::size_t i = 1; i <= n; ++i) {
      lua_rawgeti(L_, idx, static_cast<int>(i));
      a.emplace_back();
      const bool ok = convert(lua_gettop(L_), a.back(), depth + 1);
      lua_pop(L_, 1);
      if (!ok) {
        err_ = "[" + std::to_string(i) + "]" + err_;
        return false;
      }
    }
    return true;
  }

  bool object(int idx, value& out, int depth) {
    out = value::object();
    auto& o = out.get_ref<value::object_t&>();
    std::vector<lua_Number> number_keys;  // rare: handled after the string keys
    lua_pushnil(L_);
    while (lua_next(L_, idx) != 0) {
      const int kt = lua_type(L_, -2);
      if (kt == LUA_TSTRING) {
        std::size_t kn = 0;
        const char* k = lua_tolstring(L_, -2, &kn);  // a string key: no in-place conversion
        if (!valid_utf8(k, kn)) {
          lua_pop(L_, 2);
          return fail("key is not valid UTF-8");
        }
        // Lua string keys are unique, so no duplicate check is needed.
        o.emplace_back(std::piecewise_construct, std::forward_as_tuple(k, kn),
                       std::forward_as_tuple());
        if (!convert(lua_gettop(L_), o.back().second, depth + 1)) {
          err_ = "." + std::string(k, kn) + err_;
          lua_pop(L_, 2);
          return false;
        }
      } else if (kt == LUA_TNUMBER) {
        number_keys.push_back(lua_tonumber(L_, -2));
      } else {
        const std::string type = lua_typename(L_, kt);
        lua_pop(L_, 2);
        return fail("a " + type + " key cannot be converted to JSON");
      }
      lua_pop(L_, 1);
    }
    for (const lua_Number k : number_keys) {
      std::string key = number_key(k);
      if (o.find(key) != o.end()) return fail("key " + key + " appears as a number and a string");
      lua_pushnumber(L_, k);
      lua_rawget(L_, idx);
      o.emplace_back(std::piecewise_construct, std::forward_as_tuple(key), std::forward_as_tuple());
      const bool ok = convert(lua_gettop(L_), o.back().second, depth + 1);
      lua_pop(L_, 1);
      if (!ok) {
        err_ = "[" + key + "]" + err_;
        return false;
      }
    }
    return true;
  }

  lua_State* L_;
  int array_mt_;
  std::string err_;
};

}  // namespace

void push_null(lua_State* L) { lua_pushlightuserdata(L, &null_tag); }

bool is_null(lua_State* L, int idx) {
  return lua_type(L, idx) == LUA_TLIGHTUSERDATA && lua_touserdata(L, idx) == &null_tag;
}

void create_array_mt(lua_State* L) {
  lua_pushlightuserdata(L, &array_mt_key);
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "array");
  lua_setfield(L, -2, "__json");
  lua_rawset(L, LUA_REGISTRYINDEX);
}

void mark_array(lua_State* L, int idx) {
  idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
  push_array_mt(L);
  lua_setmetatable(L, idx);
}

void push_value(lua_State* L, const value& v) {
  luaL_checkstack(L, 4, "out of stack");
  push_array_mt(L);
  const int mt = lua_gettop(L);
  push_rec(L, v, mt, 0);
  lua_remove(L, mt);
}

std::string to_value(lua_State* L, int idx, value& out) {
  if (idx < 0) idx = lua_gettop(L) + idx + 1;
  if (!lua_checkstack(L, 4)) return "out of stack";
  push_array_mt(L);
  const int mt = lua_gettop(L);
  to_json conv(L, mt);
  const bool ok = conv.convert(idx, out, 0);
  lua_settop(L, mt - 1);
  if (ok) return {};
  std::string& e = conv.error();
  // A path reads better without the leading ": " when the top value itself failed.
  return e.rfind(": ", 0) == 0 ? e.substr(2) : "at " + e;
}

bool valid_utf8(const char* s, std::size_t n) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s);
  const auto* end = p + n;
  while (p < end) {
    // Fast path: 8 ASCII bytes at a time.
    if (end - p >= 8) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      if ((w & 0x8080808080808080ull) == 0) {
        p += 8;
        continue;
      }
    }
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int len;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (end - p < len) return false;
    for (int i = 1; i < len; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
      return false;
    p += len;
  }
  return true;
}

}  // namespace rb::sources::lua::detail
