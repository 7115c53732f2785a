#include <doctest/doctest.h>

#include "filter_test_util.h"

using namespace rb::filters::test;

namespace {
std::string filtered(const std::string& args, const std::string& event) {
  auto r = run("json_filter", args, event);
  REQUIRE(r.result.ok);
  REQUIRE(r.out.size() == 1);
  return r.out[0].dump();
}
}  // namespace

TEST_CASE("json_filter: exclude_keys removes keys, include_keys only shields them") {
  const std::string ev = R"({"key1": "value1", "key2": "value2", "key3": "value3"})";
  CHECK(filtered(R"({"exclude_keys": ["key1"]})", ev) ==
        json(R"({"key2":"value2","key3":"value3"})"));
  // include alone is not a whitelist
  CHECK(filtered(R"({"include_keys": ["key1"]})", ev) == json(ev));
  CHECK(filtered(R"({"exclude_keys": ["key1", "key2"], "include_keys": ["key1"]})", ev) ==
        json(R"({"key1":"value1","key3":"value3"})"));
  CHECK(filtered(R"({"exclude_keys": ["key*"]})", ev) == "{}");
  CHECK(filtered(R"({"exclude_keys": ["key*"], "include_keys": ["key1"]})", ev) ==
        json(R"({"key1":"value1"})"));
  CHECK(filtered(R"({"exclude_keys": []})", ev) == json(ev));
  CHECK(filtered(R"({"include_keys": []})", ev) == json(ev));
  CHECK(filtered(R"({"exclude_keys": ["nonexistent"]})", ev) == json(ev));
  CHECK(filtered("", ev) == json(ev));
  CHECK(filtered(R"({"exclude_keys": null, "include_keys": null})", ev) == json(ev));
}

TEST_CASE("json_filter: wildcards are fnmatch patterns") {
  CHECK(filtered(R"({"exclude_keys": ["remove_*"]})",
                 R"({"remove_a": 1, "remove_b": 2, "keep_x": 3, "keep_y": 4})") ==
        json(R"({"keep_x":3,"keep_y":4})"));
  CHECK(filtered(R"({"exclude_keys": ["key?"]})",
                 R"({"key1": "value1", "key2": "value2", "key10": "value10"})") ==
        json(R"({"key10":"value10"})"));
  CHECK(filtered(R"({"exclude_keys": ["*_config*"], "include_keys": ["app_config_prod"]})",
                 R"({"app_config_dev": 1, "app_config_prod": 2, "app_settings": 3,
                     "db_config": 4, "cache_config": 5})") ==
        json(R"({"app_config_prod":2,"app_settings":3})"));
  CHECK(filtered(R"({"exclude_keys": ["[ab]_*", "[!x]y"]})",
                 R"({"a_1": 1, "b_2": 2, "c_3": 3, "zy": 4, "xy": 5})") ==
        json(R"({"c_3":3,"xy":5})"));
  // Patterns are case-sensitive and '/' or a leading '.' are ordinary characters.
  CHECK(filtered(R"({"exclude_keys": ["KEY", "*"]})", R"({".hidden/x": 1})") == "{}");
  CHECK(filtered(R"({"exclude_keys": ["KEY"]})", R"({"key": 1})") == json(R"({"key":1})"));
  // A key equal to a pattern's text matches even when the pattern would not match it.
  CHECK(filtered(R"({"exclude_keys": ["[x]"]})", R"({"[x]": 1, "x": 2, "y": 3})") ==
        json(R"({"y":3})"));
}

TEST_CASE("json_filter: applies at every nesting level of mappings") {
  CHECK(filtered(R"({"exclude_keys": ["nested1"]})",
                 R"({"key1": {"nested1": "val1", "nested2": "val2"}, "key2": "value2"})") ==
        json(R"({"key1":{"nested2":"val2"},"key2":"value2"})"));
  CHECK(filtered(R"({"exclude_keys": ["key1"]})",
                 R"({"key1": {"nested1": "val1"}, "key2": "value2"})") ==
        json(R"({"key2":"value2"})"));
  CHECK(filtered(R"({"exclude_keys": ["remove"]})",
                 R"({"level1": {"level2": {"target": "keep", "remove": "discard"},
                     "other": "data"}, "top": "level"})") ==
        json(R"({"level1":{"level2":{"target":"keep"},"other":"data"},"top":"level"})"));
  CHECK(filtered(R"({"exclude_keys": ["exclude_me"]})",
                 R"({"level1": {"level2": {"level3": {"level4":
                     {"target": "found", "exclude_me": "gone"}}}}})") ==
        json(R"({"level1":{"level2":{"level3":{"level4":{"target":"found"}}}}})"));
}

TEST_CASE("json_filter: include wins only for the key itself; its value is still filtered") {
  CHECK(filtered(R"({"exclude_keys": ["app_*", "secret"], "include_keys": ["app_config"]})",
                 R"({"app_config": {"secret": 1, "v": 2}, "app_debug": {"x": 1}, "top": 3})") ==
        json(R"({"app_config":{"v":2},"top":3})"));
  // The example of ansible-rulebook's documentation: include patterns name keys at any level.
  CHECK(filtered(R"({"include_keys": ["key3", "key4", "f_use*"],
                     "exclude_keys": ["key1", "key2", "f_ignore_1", "f_*"]})",
                 R"({"key1": {"key2": {"f_ignore_1": 1}},
                     "key3": {"key4": {"f_use_1": 42, "f_use_2": 45, "f_other": 0}}})") ==
        json(R"({"key3":{"key4":{"f_use_1":42,"f_use_2":45}}})"));
}

TEST_CASE("json_filter: mappings inside lists are not filtered (as in ansible-rulebook)") {
  const std::string ev =
      R"({"items": [{"keep": "yes", "remove": "no"}, {"keep": "yes", "remove": "no"}],
          "other": "data", "remove": 1})";
  CHECK(filtered(R"({"exclude_keys": ["remove"]})", ev) ==
        json(R"({"items":[{"keep":"yes","remove":"no"},{"keep":"yes","remove":"no"}],
                 "other":"data"})"));
}

TEST_CASE("json_filter: key order is kept and non-mapping events pass through") {
  CHECK(filtered(R"({"exclude_keys": ["b"]})", R"({"z": 1, "b": 2, "a": 3})") ==
        json(R"({"z":1,"a":3})"));
  CHECK(filtered(R"({"exclude_keys": ["*"]})", R"([{"a": 1}])") == json(R"([{"a":1}])"));
  CHECK(filtered(R"({"exclude_keys": ["*"]})", R"("text")") == json(R"("text")"));
}

TEST_CASE("json_filter: bad arguments") {
  CHECK(build_error("json_filter", R"({"include_keys": "key1"})") ==
        "json_filter: argument 'include_keys' must be a list of strings");
  CHECK(build_error("json_filter", R"({"exclude_keys": ["a", 1]})") ==
        "json_filter: argument 'exclude_keys' must be a list of strings");
  CHECK(build_error("json_filter", R"({"exclude": ["a"]})") ==
        "json_filter: unknown argument 'exclude' (allowed: include_keys, exclude_keys)");
}
