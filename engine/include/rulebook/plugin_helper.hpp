// plugin_helper.hpp: write a rulebook .so source as a C++ class; this header exports the C ABI.
//
// Contract:
// - Derive your stream from rb::plugin::instance (next_batch, and optionally fd and
//   set_leadership) and your plugin from rb::plugin::plugin (a constructor taking the config JSON
//   text, and open). Then, in exactly one .cpp of the library:
//       RB_PLUGIN_DEFINE("my_source", my_plugin)
//   which defines every function of plugin_abi.h with C linkage.
// - Failing is throwing: any exception escaping your code (std::exception or anything else) is
//   caught at the ABI edge and becomes RB_PLUGIN_FAILURE with its what() as last_error. Nothing
//   ever unwinds into the host. Exceptions from your destructors are swallowed.
// - Events are JSON text (one object per event); the helper keeps the batch alive until the
//   next call, as the ABI requires. It depends on no JSON library: use the one you like.
// - Everything else (threads, blocking, fds) follows plugin_abi.h; read docs/plugins-c.md.
#pragma once

#include <rulebook/plugin_abi.h>

#include <cstdint>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rb::plugin {

// What next_batch says besides "failed" (which is a throw).
enum class result { events, timeout, eof };

// The events of one next_batch call, plus the plugin's hint for when to call again.
class batch {
 public:
  void add(std::string json_object) { events_.push_back(std::move(json_object)); }
  std::size_t size() const { return events_.size(); }
  bool empty() const { return events_.empty(); }
  // On timeout: ask to be called again after `ms` milliseconds (default: the host decides).
  void retry_after_ms(std::int32_t ms) { wait_ms_ = ms; }

  // Used by the exported functions, not by plugins.
  void abi_reset() {
    events_.clear();
    views_.clear();
    wait_ms_ = -1;
  }
  const rb_plugin_event* abi_views() {
    views_.reserve(events_.size());
    for (const auto& e : events_) views_.push_back(rb_plugin_event{e.data(), e.size()});
    return views_.data();
  }
  std::int32_t abi_wait_ms() const { return wait_ms_; }

 private:
  std::vector<std::string> events_;
  std::vector<rb_plugin_event> views_;
  std::int32_t wait_ms_ = -1;
};

// One open stream of events (rb_plugin_open .. rb_plugin_close).
class instance {
 public:
  virtual ~instance() = default;
  // Adds ready events to `out` and returns result::events, or returns timeout (nothing now) or
  // eof (ended). Must not block. Throw to fail the source.
  virtual result next_batch(batch& out) = 0;
  // A descriptor that turns readable when events are ready, or -1. Asked once, after open.
  virtual int fd() { return -1; }
  // HA role changes; called after open with the current role, then on each change.
  virtual void set_leadership(bool /*is_leader*/) {}
};

// One configured source (rb_plugin_init .. rb_plugin_destroy). Derived classes take the config
// JSON text in their constructor and throw on a bad configuration.
class plugin {
 public:
  virtual ~plugin() = default;
  // `params_json` holds host facts ("name", "ha"); see rb_plugin_open.
  virtual std::unique_ptr<instance> open(std::string_view params_json) = 0;
};

namespace detail {

inline std::string describe_current_exception() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what()[0] != '\0' ? e.what() : "exception without a message";
  } catch (...) {
    return "unknown C++ exception";
  }
}

}  // namespace detail
}  // namespace rb::plugin

// The ABI's opaque types, completed for C++ plugins. Defined here (not by the macro) so that a
// library with several translation units sees one definition.
struct rb_plugin_state {
  std::unique_ptr<rb::plugin::plugin> impl;
  std::string last_error;
};

struct rb_plugin_instance {
  std::unique_ptr<rb::plugin::instance> impl;
  rb::plugin::batch out;
};

namespace rb::plugin::detail {

// The bodies of the exported functions; RB_PLUGIN_DEFINE forwards to them. Every one is a
// boundary: nothing escapes.

template <class make_fn>
rb_plugin_state* init(const char* config_json, rb_plugin_rc* rc, make_fn make) noexcept {
  rb_plugin_state* state = nullptr;
  try {
    state = new rb_plugin_state;
  } catch (...) {
    *rc = RB_PLUGIN_FAILURE;
    return nullptr;
  }
  try {
    state->impl = make(std::string_view(config_json != nullptr ? config_json : "{}"));
    *rc = RB_PLUGIN_SUCCESS;
  } catch (...) {
    try {
      state->last_error = describe_current_exception();
    } catch (...) {
    }
    *rc = RB_PLUGIN_FAILURE;
  }
  return state;
}

inline void destroy(rb_plugin_state* state) noexcept {
  try {
    delete state;
  } catch (...) {
  }
}

inline const char* last_error(rb_plugin_state* state) noexcept {
  if (state == nullptr || state->last_error.empty()) return nullptr;
  return state->last_error.c_str();
}

inline rb_plugin_rc fail(rb_plugin_state* state) noexcept {
  try {
    state->last_error = describe_current_exception();
  } catch (...) {
  }
  return RB_PLUGIN_FAILURE;
}

inline rb_plugin_instance* open(rb_plugin_state* state, const char* params_json,
                                rb_plugin_rc* rc) noexcept {
  try {
    auto inst = std::make_unique<rb_plugin_instance>();
    inst->impl = state->impl->open(std::string_view(params_json != nullptr ? params_json : "{}"));
    if (!inst->impl) throw std::runtime_error("open returned no instance");
    *rc = RB_PLUGIN_SUCCESS;
    return inst.release();
  } catch (...) {
    *rc = fail(state);
    return nullptr;
  }
}

inline rb_plugin_rc next_batch(rb_plugin_state* state, rb_plugin_instance* inst,
                               const rb_plugin_event** events, std::uint32_t* count,
                               std::int32_t* wait_ms) noexcept {
  try {
    inst->out.abi_reset();  // the previous batch may go now: the host has parsed it
    switch (inst->impl->next_batch(inst->out)) {
      case result::events:
        if (inst->out.empty()) return RB_PLUGIN_TIMEOUT;
        *count = static_cast<std::uint32_t>(inst->out.size());
        *events = inst->out.abi_views();
        return RB_PLUGIN_SUCCESS;
      case result::timeout:
        *wait_ms = inst->out.abi_wait_ms();
        return RB_PLUGIN_TIMEOUT;
      case result::eof:
        return RB_PLUGIN_EOF;
    }
    throw std::runtime_error("next_batch returned an unknown result");
  } catch (...) {
    return fail(state);
  }
}

inline void close(rb_plugin_state*, rb_plugin_instance* inst) noexcept {
  try {
    delete inst;
  } catch (...) {
  }
}

inline int get_fd(rb_plugin_state* state, rb_plugin_instance* inst) noexcept {
  try {
    const int fd = inst->impl->fd();
    return fd < 0 ? -1 : fd;
  } catch (...) {
    fail(state);
    return -2;  // below -1: a failure, last_error says why
  }
}

inline rb_plugin_rc set_leadership(rb_plugin_state* state, rb_plugin_instance* inst,
                                   int is_leader) noexcept {
  try {
    inst->impl->set_leadership(is_leader != 0);
    return RB_PLUGIN_SUCCESS;
  } catch (...) {
    return fail(state);
  }
}

}  // namespace rb::plugin::detail

// Defines the C ABI of plugin_abi.h for `plugin_class` (derived from rb::plugin::plugin, built
// from the config JSON text). Use once per library, at namespace scope.
#define RB_PLUGIN_DEFINE(plugin_name, plugin_class)                                         \
  extern "C" {                                                                              \
  void rb_plugin_api_version(uint32_t* major, uint32_t* minor) {                            \
    *major = RB_PLUGIN_API_VERSION_MAJOR;                                                   \
    *minor = RB_PLUGIN_API_VERSION_MINOR;                                                   \
  }                                                                                         \
  const char* rb_plugin_name(void) { return plugin_name; }                                  \
  rb_plugin_state* rb_plugin_init(const char* config_json, rb_plugin_rc* rc) {              \
    return ::rb::plugin::detail::init(config_json, rc, [](std::string_view config) {        \
      return std::unique_ptr<::rb::plugin::plugin>(new plugin_class(config));               \
    });                                                                                     \
  }                                                                                         \
  void rb_plugin_destroy(rb_plugin_state* s) { ::rb::plugin::detail::destroy(s); }          \
  const char* rb_plugin_last_error(rb_plugin_state* s) {                                    \
    return ::rb::plugin::detail::last_error(s);                                             \
  }                                                                                         \
  rb_plugin_instance* rb_plugin_open(rb_plugin_state* s, const char* p, rb_plugin_rc* rc) { \
    return ::rb::plugin::detail::open(s, p, rc);                                            \
  }                                                                                         \
  rb_plugin_rc rb_plugin_next_batch(rb_plugin_state* s, rb_plugin_instance* i,              \
                                    const rb_plugin_event** e, uint32_t* n, int32_t* w) {   \
    return ::rb::plugin::detail::next_batch(s, i, e, n, w);                                 \
  }                                                                                         \
  void rb_plugin_close(rb_plugin_state* s, rb_plugin_instance* i) {                         \
    ::rb::plugin::detail::close(s, i);                                                      \
  }                                                                                         \
  int rb_plugin_get_fd(rb_plugin_state* s, rb_plugin_instance* i) {                         \
    return ::rb::plugin::detail::get_fd(s, i);                                              \
  }                                                                                         \
  rb_plugin_rc rb_plugin_set_leadership(rb_plugin_state* s, rb_plugin_instance* i, int l) { \
    return ::rb::plugin::detail::set_leadership(s, i, l);                                   \
  }                                                                                         \
  }
