#include <doctest/doctest.h>

#include "filter_test_util.h"

using namespace rb::filters::test;

namespace {
std::string renamed(const std::string& args, const std::string& event) {
  auto r = run("dashes_to_underscores", args, event);
  REQUIRE(r.result.ok);
  REQUIRE(r.out.size() == 1);
  return r.out[0].dump();
}
}  // namespace

TEST_CASE("dashes_to_underscores: ansible-rulebook's cases") {
  CHECK(renamed("", R"({"key-name": "value1", "other-key": "value2"})") ==
        json(R"({"key_name":"value1","other_key":"value2"})"));
  CHECK(renamed("", R"({"key-with-dash": "value1", "normal_key": "value2"})") ==
        json(R"({"normal_key":"value2","key_with_dash":"value1"})"));
  CHECK(renamed("", R"({"this-is-a-long-key": "value"})") ==
        json(R"({"this_is_a_long_key":"value"})"));
  CHECK(renamed("", R"({"key1": "value1", "key2": "value2"})") ==
        json(R"({"key1":"value1","key2":"value2"})"));
  CHECK(renamed("", R"({"top-level": {"nested-key": "value"}})") ==
        json(R"({"top_level":{"nested_key":"value"}})"));
  CHECK(renamed("", R"({"outer-key": {"inner-key": {"deep-key": "value"}}})") ==
        json(R"({"outer_key":{"inner_key":{"deep_key":"value"}}})"));
  CHECK(renamed("", R"({"level-1": {"level-2": {"level-3": "value", "no-dash-here": "v2"}},
                        "top": "level"})") ==
        json(R"({"top":"level","level_1":{"level_2":{"level_3":"value","no_dash_here":"v2"}}})"));
}

TEST_CASE("dashes_to_underscores: mappings inside lists, at any depth") {
  CHECK(renamed("", R"({"top-level": {"items": [{"item-id": 1, "item-name": "first"},
                                                 {"item-id": 2, "item-name": "second"}]}})") ==
        json(R"({"top_level":{"items":[{"item_id":1,"item_name":"first"},
                                        {"item_id":2,"item_name":"second"}]}})"));
  CHECK(renamed("", R"({"a": [[{"b-c": [{"d-e": 1}]}], "x-y"]})") ==
        json(R"({"a":[[{"b_c":[{"d_e":1}]}],"x-y"]})"));
}

TEST_CASE("dashes_to_underscores: overwrite decides collisions") {
  // Python deletes the dashed key and assigns the new one: a fresh key goes to the end, an
  // existing key keeps its place.
  CHECK(renamed("", R"({"key-name": "from_dash", "key_name": "original"})") ==
        json(R"({"key_name":"from_dash"})"));
  CHECK(renamed(R"({"overwrite": true})", R"({"key_name": "original", "x": 1, "key-name": "d"})") ==
        json(R"({"key_name":"d","x":1})"));
  CHECK(
      renamed(R"({"overwrite": false})", R"({"key-name": "from_dash", "key_name": "original"})") ==
      json(R"({"key_name":"original"})"));
  CHECK(renamed(R"({"overwrite": false})", R"({"a": 1, "b-c": 2, "d": 3})") ==
        json(R"({"a":1,"d":3,"b_c":2})"));
  // Two dashed keys with the same new name: the first creates it, the second collides with it.
  CHECK(renamed("", R"({"a-b": 1, "a--b": 2, "a_-b": 3})") == json(R"({"a_b":1,"a__b":3})"));
  CHECK(renamed(R"({"overwrite": false})", R"({"a-b": 1, "a_b": 0, "x-": {"y-": 1}})") ==
        json(R"({"a_b":0,"x_":{"y_":1}})"));
  // A YAML null behaves as false, as None does in Python.
  CHECK(renamed(R"({"overwrite": null})", R"({"key-name": 1, "key_name": 2})") ==
        json(R"({"key_name":2})"));
}

TEST_CASE("dashes_to_underscores: values and non-mapping events are left alone") {
  CHECK(renamed("", R"({"k": "a-b", "l": ["c-d"]})") == json(R"({"k":"a-b","l":["c-d"]})"));
  CHECK(renamed("", R"(["a-b", {"c-d": 1}])") == json(R"(["a-b",{"c_d":1}])"));
  CHECK(renamed("", "42") == "42");
}

TEST_CASE("dashes_to_underscores: bad arguments") {
  CHECK(build_error("dashes_to_underscores", R"({"overwrite": "no"})") ==
        "dashes_to_underscores: argument 'overwrite' must be true or false");
  CHECK(build_error("dashes_to_underscores", R"({"overwrites": true})") ==
        "dashes_to_underscores: unknown argument 'overwrites' (allowed: overwrite)");
  CHECK(build_error("dashes_to_underscores", "[1]") ==
        "dashes_to_underscores: arguments must be a mapping, got array");
}
