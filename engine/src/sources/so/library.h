// library: an RAII handle on a dlopen'ed shared object. dlfcn stays inside sources/so.
//
// Contract: library(path) opens with RTLD_NOW | RTLD_LOCAL (every undefined symbol is resolved at
// load, and the plugin's symbols never satisfy another library's) and throws source_error with
// dlerror's text; the destructor dlcloses. find() returns nullptr for a missing symbol. Opening
// the same file twice shares one loaded image (dlopen counts references): plugins must keep their
// per-source data in their state, not in globals.
#pragma once

#include <string>

namespace rb::sources::so {

class library {
 public:
  explicit library(const std::string& path);
  ~library();
  library(const library&) = delete;
  library& operator=(const library&) = delete;

  void* find(const char* symbol) const noexcept;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  void* handle_ = nullptr;
};

}  // namespace rb::sources::so
