// fact_store: the index on canonical text (replace, exact and partial retraction, 3 == 3.0),
// assertion order kept through the sweeps of retracted facts.
#include "match/fact_store.h"

#include <doctest/doctest.h>

#include "core/canonical.h"

using namespace rb;
using namespace rb::match;

namespace {

std::vector<std::int64_t> live_ids(const fact_store& s) {
  std::vector<std::int64_t> out;
  for (const auto& f : s.all())
    if (!f->retracted) out.push_back(f->data["id"].get<std::int64_t>());
  return out;
}

}  // namespace

TEST_CASE("canonical text: keys sorted, meta left out, integral floats as integers") {
  CHECK(canonical_key(value::parse(R"({"b": 1.0, "a": [2, 3.5], "meta": {"x": 1}})")) ==
        R"({"a":[2,3.5],"b":1})");
  CHECK(canonical_key(value::parse(R"({"b": 1, "a": [2.0, 3.5]})")) == R"({"a":[2,3.5],"b":1})");
  CHECK(canonical_key(value::parse(R"({"a": "1"})")) != canonical_key(value::parse(R"({"a": 1})")));
  CHECK(canonical_key(value::parse(R"({"meta": 1})"), false) == R"({"meta":1})");
}

TEST_CASE("fact_store: an equal fact (meta aside, 3 == 3.0) replaces the old one at the end") {
  fact_store s;
  const auto now = std::chrono::steady_clock::now();
  s.assert_fact(value::parse(R"({"id": 1, "v": 3})"), now);
  s.assert_fact(value::parse(R"({"id": 2})"), now);
  s.assert_fact(value::parse(R"({"id": 1, "v": 3.0, "meta": {"uuid": "x"}})"), now);
  CHECK(s.size() == 2);
  CHECK(live_ids(s) == std::vector<std::int64_t>{2, 1});
  CHECK(s.retract(value::parse(R"({"v": 3, "id": 1})"), false) == 1);
  CHECK(s.retract(value::parse(R"({"id": 1, "v": 3})"), false) == 0);
  CHECK(live_ids(s) == std::vector<std::int64_t>{2});
}

TEST_CASE("fact_store: partial retraction, and order kept through sweeps") {
  fact_store s;
  const auto now = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) s.assert_fact(value{{"id", i}, {"even", i % 2 == 0}}, now);
  CHECK(s.retract(value{{"even", true}}, true) == 500);
  // Exact retractions of most of the rest: the list is swept, the index follows.
  for (int i = 1; i < 900; i += 2) CHECK(s.retract(value{{"id", i}, {"even", false}}, false) == 1);
  CHECK(s.size() == 50);
  const auto ids = live_ids(s);
  REQUIRE(ids.size() == 50);
  CHECK(ids.front() == 901);
  CHECK(ids.back() == 999);
  CHECK(s.all().size() < 1000);  // swept
  // Replacing and retracting still find facts after the sweep moved them.
  s.assert_fact(value{{"id", 901}, {"even", false}}, now);
  CHECK(live_ids(s).back() == 901);
  CHECK(s.retract(value{{"id", 999}, {"even", false}}, false) == 1);
  CHECK(s.size() == 49);
}
