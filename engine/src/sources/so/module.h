// module: a loaded .so plugin whose ABI version and symbols were checked.
//
// Contract: module::load(path) opens the library, asks rb_plugin_api_version first, accepts the
// plugin only if its major equals RB_PLUGIN_API_VERSION_MAJOR and its minor is at most ours, then
// resolves every required symbol; anything else throws source_error naming the file and the
// version or the missing symbol. Optional symbols are null when absent. The module keeps the
// library loaded for as long as anyone holds it (sources hold it via shared_ptr).
#pragma once

#include <rulebook/plugin_abi.h>

#include <cstdint>
#include <memory>
#include <string>

#include "sources/so/library.h"

namespace rb::sources::so {

struct plugin_api {
  // Required.
  rb_plugin_api_version_fn api_version = nullptr;
  rb_plugin_name_fn name = nullptr;
  rb_plugin_init_fn init = nullptr;
  rb_plugin_destroy_fn destroy = nullptr;
  rb_plugin_last_error_fn last_error = nullptr;
  rb_plugin_open_fn open = nullptr;
  rb_plugin_next_batch_fn next_batch = nullptr;
  rb_plugin_close_fn close = nullptr;
  // Optional.
  rb_plugin_get_fd_fn get_fd = nullptr;
  rb_plugin_set_leadership_fn set_leadership = nullptr;
};

class module {
 public:
  static std::shared_ptr<const module> load(const std::string& path);

  const plugin_api& api() const { return api_; }
  // rb_plugin_name(), or the file's stem when the plugin returns nothing usable.
  const std::string& name() const { return name_; }
  const std::string& path() const { return lib_.path(); }
  std::uint32_t major() const { return major_; }
  std::uint32_t minor() const { return minor_; }

  // The plugin's last_error for `state`, or a stand-in when it has none.
  std::string last_error(rb_plugin_state* state) const;

  explicit module(const std::string& path);  // use load()

 private:
  library lib_;
  plugin_api api_;
  std::string name_;
  std::uint32_t major_ = 0;
  std::uint32_t minor_ = 0;
};

}  // namespace rb::sources::so
