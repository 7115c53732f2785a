// load_file, load_vars_file, load_data_file against real files.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "rulebook/loader.h"

namespace fs = std::filesystem;
using rb::value;

namespace {
struct temp_dir {
  fs::path path;
  temp_dir() {
    path = fs::temp_directory_path() /
           ("rb_rulebook_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
    fs::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  static int& counter() {
    static int c = 0;
    return c;
  }
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = path / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
};

std::string error_of(void (*fn)(const std::string&), const std::string& path) {
  try {
    fn(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("load_file reads a rulebook and names the file in positions") {
  temp_dir d;
  const auto path = d.write("hello.yml", R"(- name: Hello
  hosts: all
  sources:
    - range: {limit: 5}
  rules:
    - name: r
      condition: event.i == 2
      action: {debug: {msg: hi}}
)");
  auto r = rb::rulebook::load_file(path, value::object());
  CHECK(r.ok());
  CHECK(r.model.file == path);
  CHECK(r.model.rulesets.at(0).rules.at(0).condition.conditions.at(0).text_pos.file == path);
}

TEST_CASE("a missing file is an error diagnostic, not an exception") {
  auto r = rb::rulebook::load_file("/nonexistent/dir/rules.yml", value::object());
  REQUIRE(r.errors.size() == 1);
  CHECK(rb::rulebook::to_string(r.errors[0]).find("/nonexistent/dir/rules.yml: cannot open") == 0);
  auto dir = rb::rulebook::load_file(fs::temp_directory_path().string(), value::object());
  CHECK_FALSE(dir.ok());
}

TEST_CASE("vars files: YAML or JSON, types kept, must be a mapping") {
  temp_dir d;
  auto v = rb::rulebook::load_vars_file(d.write("v.yml", "a: 1\nb: yes\nc: '1'\nd: [1.5]\n"));
  CHECK(v == value::parse(R"({"a": 1, "b": true, "c": "1", "d": [1.5]})"));
  v = rb::rulebook::load_vars_file(d.write("v.json", "{\n\t\"a\": 1,\n\t\"b\": {\"c\": null}\n}"));
  CHECK(v == value::parse(R"({"a": 1, "b": {"c": null}})"));
  auto load_vars = [](const std::string& p) { (void)rb::rulebook::load_vars_file(p); };
  CHECK(error_of(load_vars, d.write("l.yml", "- 1\n- 2\n")).find("must be a mapping") !=
        std::string::npos);
  CHECK(error_of(load_vars, d.write("e.yml", "")).find("empty document") != std::string::npos);
  const auto bad = error_of(load_vars, d.write("bad.yml", "a: [1, 2\n"));
  CHECK(bad.find("bad.yml:2:1: YAML syntax error") != std::string::npos);
  CHECK(error_of(load_vars, "/nonexistent.yml").find("/nonexistent.yml: cannot open") == 0);
}

TEST_CASE("data files: any YAML or JSON value") {
  temp_dir d;
  CHECK(rb::rulebook::load_data_file(d.write("p.yml", "- i: 1\n- i: 2\n")) ==
        value::parse(R"([{"i": 1}, {"i": 2}])"));
  CHECK(rb::rulebook::load_data_file(d.write("p.json", "[1, 2.5, \"x\"]")) ==
        value::parse(R"([1, 2.5, "x"])"));
  CHECK(rb::rulebook::load_data_file(d.write("s.yml", "just text\n")) == "just text");
  CHECK(rb::rulebook::load_data_file(d.write("n.yml", "")).is_null());
  auto load_data = [](const std::string& p) { (void)rb::rulebook::load_data_file(p); };
  CHECK(error_of(load_data, d.write("t.yml", "a: !vault x\n")).find("t.yml:1:4") !=
        std::string::npos);
}
