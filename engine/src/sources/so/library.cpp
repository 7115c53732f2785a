#include "sources/so/library.h"

#include <dlfcn.h>

#include "sources/source.h"

namespace rb::sources::so {

library::library(const std::string& path) : path_(path) {
  dlerror();  // clear a stale message so the one we report is ours
  handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) {
    const char* err = dlerror();
    throw source_error("cannot load plugin " + path + ": " +
                       (err != nullptr ? err : "dlopen failed"));
  }
}

library::~library() {
  if (handle_ != nullptr) dlclose(handle_);
}

void* library::find(const char* symbol) const noexcept { return dlsym(handle_, symbol); }

}  // namespace rb::sources::so
