#include <doctest/doctest.h>

#include "filter_test_util.h"

using namespace rb::filters;
using namespace rb::filters::test;

TEST_CASE("registry: every filter under its three spellings") {
  for (const char* name : {"json_filter", "dashes_to_underscores", "normalize_keys",
                           "insert_hosts_to_meta", "event_splitter", "noop"}) {
    CAPTURE(name);
    const std::string n(name);
    CHECK(builtin_filter_name(n) == n);
    CHECK(builtin_filter_name("eda.builtin." + n) == n);
    CHECK(builtin_filter_name("ansible.eda." + n) == n);
    const std::string args = n == "event_splitter" ? R"({"splitter_key": "x"})" : "";
    CHECK(make(n, args) != nullptr);
    CHECK(make("eda.builtin." + n, args) != nullptr);
    CHECK(make("ansible.eda." + n, args) != nullptr);
  }
}

TEST_CASE("registry: other names are not built in") {
  for (const char* name :
       {"", "json", "JSON_FILTER", "eda.builtin.", "eda.builtin.insert_meta_info",
        "ansible.builtin.noop", "my.collection.noop", "eda.builtin.eda.builtin.noop", "noop ",
        "ansible.eda.generic"}) {
    CAPTURE(name);
    CHECK(builtin_filter_name(name).empty());
  }
  CHECK(build_error("my.collection.upcase", "") ==
        "unknown event filter 'my.collection.upcase' (built in: json_filter, "
        "dashes_to_underscores, normalize_keys, insert_hosts_to_meta, event_splitter, noop)");
}

TEST_CASE("registry: arguments must be a mapping or empty") {
  // `- dashes_to_underscores:` with nothing after it gives null arguments.
  CHECK(build_error("dashes_to_underscores", "null").empty());
  CHECK(build_error("dashes_to_underscores", "{}").empty());
  CHECK(build_error("noop", R"("x")") == "noop: arguments must be a mapping, got string");
  CHECK(build_error("ansible.eda.json_filter", "[]") ==
        "json_filter: arguments must be a mapping, got array");
}

TEST_CASE("registry: a filter is reusable across events") {
  auto f = make("eda.builtin.json_filter", R"({"exclude_keys": ["x"]})");
  for (int i = 0; i < 3; ++i) {
    auto r = run(*f, R"({"x": 1, "y": 2})");
    CHECK(r.result.ok);
    CHECK(r.text() == json(R"([{"y":2}])"));
  }
}

TEST_CASE("registry: filters chain like ansible-rulebook's FilteredQueue") {
  // event_splitter, then dashes_to_underscores on each part, then json_filter.
  std::vector<std::unique_ptr<event_filter>> chain;
  chain.push_back(make("event_splitter", R"({"splitter_key": "alerts", "extras": {"x-tra": 1}})"));
  chain.push_back(make("dashes_to_underscores", ""));
  chain.push_back(make("json_filter", R"({"exclude_keys": ["noise*"]})"));
  std::vector<rb::value> current{
      rb::value::parse(R"({"alerts": [{"host-name": "a", "noise-1": 0}, {"host-name": "b"}]})")};
  for (auto& f : chain) {
    std::vector<rb::value> next;
    for (auto& e : current) REQUIRE(f->apply(std::move(e), next).ok);
    current = std::move(next);
  }
  CHECK(rb::value(current).dump() ==
        json(R"([{"host_name":"a","x_tra":1},{"host_name":"b","x_tra":1}])"));
}
