#include <doctest/doctest.h>

#include "filter_test_util.h"

using namespace rb::filters::test;

namespace {
std::string normalized(const std::string& args, const std::string& event) {
  auto r = run("normalize_keys", args, event);
  REQUIRE(r.result.ok);
  REQUIRE(r.out.size() == 1);
  return r.out[0].dump();
}
}  // namespace

TEST_CASE("normalize_keys: ansible-rulebook's cases") {
  CHECK(normalized("", R"({"app": {"tar/get": "web/server"}})") ==
        json(R"({"app":{"tar_get":"web/server"}})"));
  CHECK(normalized("", R"({"a.p.p": {"t?r/get": "?web/server"}})") ==
        json(R"({"a_p_p":{"t_r_get":"?web/server"}})"));
  CHECK(normalized("", R"({"key1": {"key2": {"key?/+12-*": "?web/server"}}})") ==
        json(R"({"key1":{"key2":{"key_12_":"?web/server"}}})"));
  CHECK(normalized(R"({"overwrite": false})", R"({"key1": {"key?2": "abc", "key_2": "345"}})") ==
        json(R"({"key1":{"key_2":"345"}})"));
  CHECK(normalized(R"({"overwrite": true})", R"({"key1": {"key_2": "abc", "key?2": "345"}})") ==
        json(R"({"key1":{"key_2":"345"}})"));
  CHECK(normalized("", R"({"key1": [{"key/2": "abc"}, {"key?2": "345"}]})") ==
        json(R"({"key1":[{"key_2":"abc"},{"key_2":"345"}]})"));
  CHECK(normalized("", R"({"key1": [{"key/2": "abc"}, 5]})") ==
        json(R"({"key1":[{"key_2":"abc"},5]})"));
}

TEST_CASE("normalize_keys: runs of non-word characters become one underscore") {
  CHECK(normalized("", R"({"server.com/&abc": 1, "data--key": 2, "app@version": 3, "--": 4,
                          "": 5, "a_-_b": 6, "tab\tnew\nline": 7})") ==
        json(R"({"server_com_abc":1,"data_key":2,"app_version":3,"_":4,"":5,"a___b":6,
                 "tab_new_line":7})"));
  // Keys keep their position (a new mapping is built in order); values are never touched.
  CHECK(normalized("", R"({"a-b": "x-y", "c": {"d.e": ["f.g"]}})") ==
        json(R"({"a_b":"x-y","c":{"d_e":["f.g"]}})"));
}

TEST_CASE("normalize_keys: word characters are Python's Unicode \\w") {
  CHECK(normalized("", R"({"café-au lait": 1, "naïve": 2, "x²": 3, "日本語キー": 4,
                          "emoji😀😀key": 5, "½ ⅓": 6, "١٢٣": 7, "Ω≈ç√": 8})") ==
        json(R"({"café_au_lait":1,"naïve":2,"x²":3,"日本語キー":4,"emoji_key":5,"½_⅓":6,
                 "١٢٣":7,"Ω_ç_":8})"));
  // A combining mark is not alphanumeric in Python.
  CHECK(normalized("",
                   "{\"a\xcc\x81"
                   "b\": 1}") == json(R"({"a_b":1})"));
}

TEST_CASE("normalize_keys: collisions follow ansible-rulebook's order-dependent rules") {
  // New name is an original key: overwrite lets the renamed value in, but if the original key
  // comes later its own value is written last.
  CHECK(normalized("", R"({"a_b": 1, "a-b": 2})") == json(R"({"a_b":2})"));
  CHECK(normalized("", R"({"a-b": 2, "a_b": 1, "z": 0})") == json(R"({"a_b":1,"z":0})"));
  CHECK(normalized(R"({"overwrite": false})", R"({"a_b": 1, "a-b": 2})") == json(R"({"a_b":1})"));
  CHECK(normalized(R"({"overwrite": false})", R"({"a-b": 2, "z": 0, "a_b": 1})") ==
        json(R"({"z":0,"a_b":1})"));
  // Two renamed keys whose new name is not an original key: the later one wins, even with
  // overwrite: false, in the first one's position.
  CHECK(normalized(R"({"overwrite": false})", R"({"a-b": 1, "z": 0, "a.b": 2})") ==
        json(R"({"a_b":2,"z":0})"));
}

TEST_CASE("normalize_keys: deep nesting and non-mapping events") {
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += R"({"k-k": [)";
  deep += "1";
  for (int i = 0; i < 5000; ++i) deep += "]}";
  auto r = run("normalize_keys", "", deep);
  REQUIRE(r.result.ok);
  const rb::value* v = &r.out[0];
  for (int i = 0; i < 5000; ++i) {
    REQUIRE(v->contains("k_k"));
    v = &(*v)["k_k"][0];
  }
  CHECK(*v == 1);
  CHECK(normalized("", R"(["a-b", {"c-d": 1}])") == json(R"(["a-b",{"c_d":1}])"));
}

TEST_CASE("normalize_keys: bad arguments") {
  CHECK(build_error("normalize_keys", R"({"overwrite": 1})") ==
        "normalize_keys: argument 'overwrite' must be true or false");
  CHECK(build_error("eda.builtin.normalize_keys", R"({"over": 1})") ==
        "normalize_keys: unknown argument 'over' (allowed: overwrite)");
}
