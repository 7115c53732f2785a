// so_host: .so source plugins behind the C ABI of rulebook/plugin_abi.h. The only header of
// sources/so the engine includes; dlfcn stays behind it.
//
// Contract:
// - find_plugin looks `<name>.so` up in `dirs` (the -S directories, in order); a dotted name
//   ("my.coll.counter_c") is tried whole first, then by its last component. "" when none.
// - make_source loads the file (checking its ABI version and every required symbol) and calls
//   rb_plugin_init with `args`; it throws source_error naming the file and the version or the
//   missing symbol, or "<plugin>: <message>" when the plugin refuses its arguments. It never
//   throws afterwards: a running source reports through source_env::done.
// - Each source gets its own plugin state; the library image is shared by dlopen's reference
//   count and unloaded when the last source using it is destroyed.
// - A plugin runs in-process: an exception is contained by the C++ helper, a crash (SIGSEGV,
//   abort) is not. docs/plugins-c.md is the user-facing guide.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/value.h"
#include "sources/source.h"

namespace rb::sources::so {

std::string find_plugin(std::string_view name, const std::vector<std::string>& dirs);
std::unique_ptr<source> make_source(const std::string& path, const value& args, source_env env);

}  // namespace rb::sources::so
