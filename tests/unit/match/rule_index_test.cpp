// The rule index: only rules that could match meet an event; file order is kept.
#include "match_test_util.h"

using namespace mt;

TEST_CASE("indexable_equality accepts only event.<path> == <int|string>") {
  auto eq = [](std::string_view text) { return indexable_equality(cond(text)); };
  REQUIRE(eq("event.id == 5"));
  CHECK(eq("event.id == 5")->path_text == "id");
  CHECK(eq("event.id == 5")->literal == 5);
  CHECK(eq("  event.a.b_c ==  -12 ")->path_text == "a.b_c");
  CHECK(eq("  event.a.b_c ==  -12 ")->literal == -12);
  CHECK(eq(R"(event.s == "x y")")->literal == "x y");
  CHECK(eq("event.s == 'x'")->literal == "x");
  CHECK_FALSE(eq("event.id == 5.0"));
  CHECK_FALSE(eq("event.id == 5 or event.id == 6"));
  CHECK_FALSE(eq("event.id == 5 and event.x == 1"));
  CHECK_FALSE(eq("event.id != 5"));
  CHECK_FALSE(eq("event.id >= 5"));
  CHECK_FALSE(eq("fact.id == 5"));
  CHECK_FALSE(eq("event.a[0] == 5"));
  CHECK_FALSE(eq("event.id == event.other"));
  CHECK_FALSE(eq("event.id == 007"));
  CHECK_FALSE(eq("event.id == true"));
  CHECK_FALSE(eq("events.x << event.id == 5"));
  CHECK_FALSE(eq("not event.id == 5"));
}

TEST_CASE("1,000 rules event.id == k: an event meets one rule") {
  std::vector<rule> rs;
  for (int k = 0; k < 1000; ++k)
    rs.push_back(single("r" + std::to_string(k), "event.id == " + std::to_string(k)));
  harness h(std::move(rs));
  CHECK(h.m.index().indexed_rules() == 1000);
  std::vector<std::uint32_t> scratch;
  const auto c = h.m.index().candidates(value::parse(R"({"id": 637})"), scratch);
  CHECK(std::vector<std::uint32_t>(c.begin(), c.end()) == std::vector<std::uint32_t>{637});
  CHECK(h.m.index().candidates(value::parse(R"({"id": 5000})"), scratch).empty());
  CHECK(h.event(R"({"id": 637})") == strings{R"(r637 {"m":{"id":637}})"});
  CHECK(h.event(R"({"id": 637.0})").size() == 1);  // 637 == 637.0
  CHECK(h.event(R"({"id": "637"})").empty());      // 637 != "637"
  CHECK(h.event(R"({"id": true})").empty());
  CHECK(h.event(R"({"other": 1})").empty());
}

TEST_CASE("file order between indexed and unindexed rules is kept") {
  auto make_rules = [] {
    return rules(single("a", "event.id == 5"), single("b", "event.x > 0"),
                 single("c", "event.id == 5"), single("d", R"(event.name == "n")"),
                 constant("e", true));
  };
  {
    harness h(make_rules());
    CHECK(h.event(R"({"id": 5, "x": 1})") == strings{R"(a {"m":{"id":5,"x":1}})"});
    CHECK(h.event(R"({"id": 6, "x": 1})") == strings{R"(b {"m":{"id":6,"x":1}})"});
    CHECK(h.event(R"({"name": "n"})") == strings{R"(d {"m":{"name":"n"}})"});
  }
  {
    harness h(make_rules(), true);
    const auto got = h.event(R"({"id": 5, "x": 1, "name": "n"})");
    REQUIRE(got.size() == 5);
    CHECK(got[0].starts_with("a "));
    CHECK(got[1].starts_with("b "));
    CHECK(got[2].starts_with("c "));
    CHECK(got[3].starts_with("d "));
    CHECK(got[4].starts_with("e "));
  }
}

TEST_CASE("an unindexed rule before an indexed one wins") {
  harness h(rules(single("first", "event.x > 0"), single("second", "event.id == 5")));
  CHECK(h.event(R"({"id": 5, "x": 1})") == strings{R"(first {"m":{"id":5,"x":1}})"});
}

TEST_CASE("facts go through the index too") {
  harness h(rules(single("a", "event.id == 1"), single("b", "event.id == 2")));
  CHECK(h.fact(R"({"id": 2})") == strings{R"(b {"m":{"id":2}})"});
}

TEST_CASE("disabled and constant false rules are never candidates") {
  auto r = single("off", "event.id == 1");
  r.enabled = false;
  harness h(rules(std::move(r), constant("no", false)));
  std::vector<std::uint32_t> scratch;
  CHECK(h.m.index().candidates(value::parse(R"({"id": 1})"), scratch).empty());
}
