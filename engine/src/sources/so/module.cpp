#include "sources/so/module.h"

#include <filesystem>

#include "sources/source.h"

namespace rb::sources::so {

namespace {

std::string version_text(std::uint32_t major, std::uint32_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

// dlsym returns void*; POSIX guarantees the round trip to a function pointer.
template <class fn>
fn symbol(const library& lib, const char* name) {
  return reinterpret_cast<fn>(lib.find(name));
}

template <class fn>
void require(const library& lib, const char* name, fn& out) {
  out = symbol<fn>(lib, name);
  if (out == nullptr)
    throw source_error("plugin " + lib.path() + ": required symbol " + name +
                       " is missing (is it exported with C linkage? see docs/plugins-c.md)");
}

}  // namespace

module::module(const std::string& path) :lib_(path) {
  // The version comes first: a plugin for another major may lack or redefine any other symbol,
  // and the version is the useful thing to report then.
  require(lib_, "rb_plugin_api_version", api_.api_version);
  api_.api_version(&major_, &minor_);
  const std::string ours = version_text(RB_PLUGIN_API_VERSION_MAJOR, RB_PLUGIN_API_VERSION_MINOR);
  if (major_ != RB_PLUGIN_API_VERSION_MAJOR)
    throw source_error("plugin " + path + ": plugin ABI version " + version_text(major_, minor_) +
                       " is not supported: this rulebook implements " + ours +
                       " and the major versions must be equal; rebuild the plugin against this "
                       "rulebook's plugin_abi.h");
  if (minor_ > RB_PLUGIN_API_VERSION_MINOR)
    throw source_error("plugin " + path + ": plugin ABI version " + version_text(major_, minor_) +
                       " is newer than this rulebook's " + ours +
                       "; upgrade rulebook or rebuild the plugin against this rulebook's "
                       "plugin_abi.h");
  require(lib_, "rb_plugin_name", api_.name);
  require(lib_, "rb_plugin_init", api_.init);
  require(lib_, "rb_plugin_destroy", api_.destroy);
  require(lib_, "rb_plugin_last_error", api_.last_error);
  require(lib_, "rb_plugin_open", api_.open);
  require(lib_, "rb_plugin_next_batch", api_.next_batch);
  require(lib_, "rb_plugin_close", api_.close);
  api_.get_fd = symbol<rb_plugin_get_fd_fn>(lib_, "rb_plugin_get_fd");
  api_.set_leadership = symbol<rb_plugin_set_leadership_fn>(lib_, "rb_plugin_set_leadership");

  const char* n = api_.name();
  name_ = (n != nullptr && *n != '\0') ? n : std::filesystem::path(path).stem().string();
}

std::shared_ptr<const module> module::load(const std::string& path) {
  return std::make_shared<const module>(path);
}

std::string module::last_error(rb_plugin_state* state) const {
  const char* err = state != nullptr ? api_.last_error(state) : nullptr;
  return (err != nullptr && *err != '\0')
             ? std::string(err)
             : std::string("unknown error (the plugin gave no message)");
}

}  // namespace rb::sources::so
