// Loading: ABI version checks, required symbols, files that are not plugins, and find_plugin.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "unit/sources_so/so_harness.h"

using namespace rb::sources::so;
using namespace rb::sources::so::test;

TEST_CASE("loader: a plugin for another major ABI version is refused, naming file and versions") {
  const std::string path = test_plugin("bad_major");
  const std::string err = so_make_error(path, rb::value::object());
  INFO(err);
  CHECK(contains(err, path));
  CHECK(contains(err, "ABI version 2.0"));
  CHECK(contains(err, "implements 1.0"));
  CHECK(contains(err, "major"));
}

TEST_CASE("loader: a plugin built for a newer minor version is refused") {
  const std::string err = so_make_error(test_plugin("newer_minor"), rb::value::object());
  INFO(err);
  CHECK(contains(err, "ABI version 1.1 is newer than this rulebook's 1.0"));
}

TEST_CASE("loader: a missing required symbol is refused, naming the symbol and the file") {
  const std::string path = test_plugin("missing_symbol");
  const std::string err = so_make_error(path, rb::value::object());
  INFO(err);
  CHECK(contains(err, path));
  CHECK(contains(err, "required symbol rb_plugin_next_batch is missing"));
}

TEST_CASE("loader: a library without rb_plugin_api_version is not a plugin") {
  const std::string err = so_make_error(test_plugin("no_version"), rb::value::object());
  INFO(err);
  CHECK(contains(err, "required symbol rb_plugin_api_version is missing"));
}

TEST_CASE("loader: a missing file or a file that is not a shared object is refused") {
  std::string err = so_make_error(plugin_dir() + "/no_such_plugin.so", rb::value::object());
  CHECK(contains(err, "cannot load plugin " + plugin_dir() + "/no_such_plugin.so"));

  const auto junk = std::filesystem::temp_directory_path() / "rb_so_junk_test.so";
  std::ofstream(junk) << "not an ELF file\n";
  err = so_make_error(junk.string(), rb::value::object());
  std::filesystem::remove(junk);
  INFO(err);
  CHECK(contains(err, "cannot load plugin"));
}

TEST_CASE("loader: a refused plugin leaves nothing behind and a good one loads after it") {
  CHECK_FALSE(so_make_error(test_plugin("bad_major"), rb::value::object()).empty());
  CHECK(so_make_error(example_plugin("counter_c"), {{"limit", 1}}).empty());
}

TEST_CASE("find_plugin: <name>.so in the -S directories, in order; dotted names; unsafe names") {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / "rb_so_find_test";
  fs::remove_all(root);
  fs::create_directories(root / "a");
  fs::create_directories(root / "b");
  std::ofstream(root / "b" / "tick.so") << "";
  std::ofstream(root / "a" / "tick.so") << "";
  std::ofstream(root / "b" / "my.coll.only_b.so") << "";
  std::ofstream(root / "b" / "counter.so") << "";
  fs::create_directories(root / "a" / "dir.so");
  const std::vector<std::string> dirs{"", (root / "a").string(), (root / "b").string()};

  CHECK(find_plugin("tick", dirs) == (root / "a" / "tick.so").string());
  CHECK(find_plugin("my.coll.only_b", dirs) == (root / "b" / "my.coll.only_b.so").string());
  CHECK(find_plugin("ansible.eda.counter", dirs) == (root / "b" / "counter.so").string());
  CHECK(find_plugin("nothing", dirs).empty());
  CHECK(find_plugin("dir", dirs).empty());  // a directory is not a plugin
  CHECK(find_plugin("../a/tick", dirs).empty());
  CHECK(find_plugin("a/tick", dirs).empty());
  CHECK(find_plugin(".tick", dirs).empty());
  CHECK(find_plugin("", dirs).empty());
  CHECK(find_plugin("tick", {}).empty());
  fs::remove_all(root);
}

TEST_CASE("find_plugin: the built examples are found in the plugin directory") {
  CHECK(find_plugin("counter_c", {plugin_dir()}) == example_plugin("counter_c"));
  CHECK(find_plugin("ticker_cpp", {plugin_dir()}) == example_plugin("ticker_cpp"));
}
