#include <doctest/doctest.h>

#include "filter_test_util.h"

using namespace rb::filters::test;

TEST_CASE("insert_hosts_to_meta: ansible-rulebook's cases") {
  auto r = run("insert_hosts_to_meta", R"({"host_path": "app.target"})",
               R"({"app": {"target": "webserver"}})");
  CHECK(r.result.ok);
  CHECK(r.text() == json(R"([{"app":{"target":"webserver"},"meta":{"hosts":["webserver"]}}])"));

  r = run("insert_hosts_to_meta",
          R"({"host_path": "app/target", "path_separator": "/", "host_separator": ";"})",
          R"({"app": {"target": "webserver;postgres"}})");
  CHECK(
      r.text() ==
      json(
          R"([{"app":{"target":"webserver;postgres"},"meta":{"hosts":["webserver","postgres"]}}])"));

  r = run("insert_hosts_to_meta", R"({"host_path": "app.target"})",
          R"({"app": {"target": ["webserver", "postgres"]}, "meta": {"source": "upstream"}})");
  CHECK(r.text() == json(R"([{"app":{"target":["webserver","postgres"]},
                               "meta":{"source":"upstream","hosts":["webserver","postgres"]}}])"));
}

TEST_CASE("insert_hosts_to_meta: a missing path logs by default and raises on request") {
  const std::string ev = R"({"app": "foo", "meta": {"source": "upstream"}})";
  auto r = run("insert_hosts_to_meta", R"({"host_path": "bar"})", ev);
  CHECK(r.result.ok);
  CHECK(
      r.result.warning ==
      R"(insert_hosts_to_meta: event {"app":"foo","meta":{"source":"upstream"}} does not contain bar)");
  CHECK(r.text() == json("[" + ev + "]"));

  r = run("insert_hosts_to_meta", R"({"host_path": "app.bad", "log_error": false})", ev);
  CHECK(r.result.ok);
  CHECK(r.result.warning.empty());
  CHECK(r.out.size() == 1);

  for (const char* args :
       {R"({"host_path": "app.bad", "raise_error": true})",
        R"({"host_path": "app.bad", "raise_error": true, "log_error": false})"}) {
    r = run("insert_hosts_to_meta", args, R"({"app": {"target": 5000}})");
    CHECK_FALSE(r.result.ok);
    CHECK(r.result.error ==
          R"(insert_hosts_to_meta: event {"app":{"target":5000}} does not contain app.bad)");
    CHECK(r.out.empty());
  }
}

TEST_CASE("insert_hosts_to_meta: hosts of a bad type are an error whatever the flags") {
  const char* cases[][2] = {
      {R"({"app": {"target": 5000}})", "5000 is not a valid hostname"},
      {R"({"app": {"target": ["host1", 5000]}})", "5000 is not a valid hostname"},
      {R"({"app": {"target": {"foo": "bar"}}})", R"({"foo":"bar"} is not a valid hostname)"},
      {R"({"app": {"target": null}})", "null is not a valid hostname"},
  };
  for (const auto& c : cases) {
    auto r =
        run("insert_hosts_to_meta", R"({"host_path": "app.target", "log_error": false})", c[0]);
    CHECK_FALSE(r.result.ok);
    CHECK(r.result.error == std::string("insert_hosts_to_meta: ") + c[1]);
    CHECK(r.out.empty());
  }
  auto r = run("insert_hosts_to_meta", R"({"host_path": "h"})", R"({"h": "x", "meta": "m"})");
  CHECK_FALSE(r.result.ok);
  CHECK(r.result.error == "insert_hosts_to_meta: the event's meta is not a mapping");
}

TEST_CASE("insert_hosts_to_meta: host strings, separators and replaced hosts") {
  // str.split keeps empty pieces; "" as host_separator means none.
  auto r = run("insert_hosts_to_meta", R"({"host_path": "h", "host_separator": ","})",
               R"({"h": "a,,b,"})");
  CHECK(r.out[0]["meta"]["hosts"].dump() == R"(["a","","b",""])");
  r = run("insert_hosts_to_meta", R"({"host_path": "h", "host_separator": ", "})",
          R"({"h": "a, b,c"})");
  CHECK(r.out[0]["meta"]["hosts"].dump() == R"(["a","b,c"])");
  r = run("insert_hosts_to_meta", R"({"host_path": "h", "host_separator": ""})", R"({"h": "a;b"})");
  CHECK(r.out[0]["meta"]["hosts"].dump() == R"(["a;b"])");
  r = run("insert_hosts_to_meta", R"({"host_path": "h"})", R"({"h": []})");
  CHECK(r.out[0]["meta"]["hosts"].dump() == "[]");
  // An existing meta.hosts is replaced in place; other meta keys stay.
  r = run("insert_hosts_to_meta", R"({"host_path": "h"})",
          R"({"meta": {"hosts": ["old"], "uuid": "u"}, "h": "new"})");
  CHECK(r.text() == json(R"([{"meta":{"hosts":["new"],"uuid":"u"},"h":"new"}])"));
}

TEST_CASE("insert_hosts_to_meta: host_path is a dpath glob") {
  // List indexes, negative indexes, multi-character separators, leading separators.
  auto r = run("insert_hosts_to_meta", R"({"host_path": "alerts.1.host"})",
               R"({"alerts": [{"host": "a"}, {"host": "b"}]})");
  CHECK(r.out[0]["meta"]["hosts"].dump() == R"(["b"])");
  r = run("insert_hosts_to_meta", R"({"host_path": "alerts.-1.host"})",
          R"({"alerts": [{"host": "a"}, {"host": "c"}]})");
  CHECK(r.out[0]["meta"]["hosts"].dump() == R"(["c"])");
  r = run("insert_hosts_to_meta", R"({"host_path": "::x::y", "path_separator": "::"})",
          R"({"x": {"y": "h"}})");
  CHECK(r.out[0]["meta"]["hosts"].dump() == R"(["h"])");
  // Wildcards: one match is used; more than one is an error (dpath raises ValueError).
  r = run("insert_hosts_to_meta", R"({"host_path": "a*.target"})",
          R"({"app": {"target": "t1"}, "b": {"target": "t2"}})");
  CHECK(r.out[0]["meta"]["hosts"].dump() == R"(["t1"])");
  r = run("insert_hosts_to_meta", R"({"host_path": "**.target"})",
          R"({"x": {"y": {"target": "deep"}}})");
  CHECK(r.out[0]["meta"]["hosts"].dump() == R"(["deep"])");
  r = run("insert_hosts_to_meta", R"({"host_path": "*.target"})",
          R"({"app": {"target": "t1"}, "b": {"target": "t2"}})");
  CHECK_FALSE(r.result.ok);
  CHECK(r.result.error == "insert_hosts_to_meta: host_path *.target matches more than one value");
}

TEST_CASE("insert_hosts_to_meta: no host_path means no change") {
  for (const char* args : {"", "{}", R"({"host_path": ""})", R"({"host_path": null})"}) {
    auto r = run("ansible.eda.insert_hosts_to_meta", args, R"({"a": 1})");
    CHECK(r.result.ok);
    CHECK(r.result.warning.empty());
    CHECK(r.text() == json(R"([{"a":1}])"));
  }
}

TEST_CASE("insert_hosts_to_meta: bad arguments") {
  CHECK(build_error("insert_hosts_to_meta", R"({"host_path": 5})") ==
        "insert_hosts_to_meta: argument 'host_path' must be a string");
  CHECK(build_error("insert_hosts_to_meta", R"({"host_path": "a", "path_separator": ""})") ==
        "insert_hosts_to_meta: argument 'path_separator' must be a non-empty string");
  CHECK(build_error("insert_hosts_to_meta", R"({"host_path": "a", "path_separator": null})") ==
        "insert_hosts_to_meta: argument 'path_separator' must be a non-empty string");
  CHECK(build_error("insert_hosts_to_meta", R"({"host_separator": [";"]})") ==
        "insert_hosts_to_meta: argument 'host_separator' must be a string");
  CHECK(build_error("insert_hosts_to_meta", R"({"raise_error": "yes"})") ==
        "insert_hosts_to_meta: argument 'raise_error' must be true or false");
  CHECK(build_error("insert_hosts_to_meta", R"({"log_error": 0})") ==
        "insert_hosts_to_meta: argument 'log_error' must be true or false");
  CHECK(build_error("insert_hosts_to_meta", R"({"host_path": "**.a.**"})") ==
        "insert_hosts_to_meta: argument 'host_path' must be a valid path (only one '**' segment "
        "is allowed)");
  CHECK(build_error("insert_hosts_to_meta", R"({"hosts_path": "a"})") ==
        "insert_hosts_to_meta: unknown argument 'hosts_path' (allowed: host_path, path_separator, "
        "host_separator, raise_error, log_error)");
}
