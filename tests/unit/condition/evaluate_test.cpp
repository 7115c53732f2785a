// Evaluation: every operator, the type rules (int/float, string vs number, null), missing
// attributes under every operator, membership, logic with `unknown`.
#include <doctest/doctest.h>

#include "condition_test_util.h"

using ct::match;

namespace {
const char* ev = R"({
  "i": 3, "f": 3.0, "g": 2.5, "big": 18446744073709551615, "neg": -7,
  "s": "abc", "n3": "3", "t": true, "fl": false, "nul": null,
  "list": [1, 2, "x", 3.5], "strs": ["fred", "barney"], "empty": [],
  "obj": {"a b": {"c": [10, 20, 30]}, "k": "v"}
})";
}  // namespace

TEST_CASE("comparison operators on numbers, across int and float") {
  CHECK(match("event.i == 3", ev));
  CHECK(match("event.i == 3.0", ev));
  CHECK(match("event.f == 3", ev));
  CHECK(match("event.i == event.f", ev));
  CHECK_FALSE(match("event.i != 3.0", ev));
  CHECK(match("event.i != 4", ev));
  CHECK(match("event.g < 3", ev));
  CHECK(match("event.g <= 2.5", ev));
  CHECK(match("event.i > 2.99", ev));
  CHECK(match("event.i >= 3", ev));
  CHECK_FALSE(match("event.i > 3", ev));
  CHECK_FALSE(match("event.i < 3", ev));
  CHECK(match("event.neg < -6", ev));
  CHECK(match("event.neg == -7", ev));
  CHECK(match("event.big > 1", ev));
  CHECK(match("event.neg < event.big", ev));
  CHECK(match("event.g == 2.5e0", ev));
  CHECK(match("event.i * 50 == 1.5e+2", ev));
}

TEST_CASE("strings and numbers never compare: not even !=") {
  CHECK_FALSE(match("event.i == '3'", ev));
  CHECK_FALSE(match("event.i != '3'", ev));
  CHECK_FALSE(match("event.n3 == 3", ev));
  CHECK_FALSE(match("event.n3 < 4", ev));
  CHECK_FALSE(match("event.n3 > 4", ev));
  CHECK_FALSE(match("event.s > 1", ev));
  CHECK_FALSE(match("event.t == 1", ev));     // a boolean is not a number
  CHECK_FALSE(match("not (event.i == '3')", ev));  // unknown stays unknown under not
  CHECK(match("event.n3 == '3'", ev));
}

TEST_CASE("strings, booleans and null") {
  CHECK(match("event.s == 'abc'", ev));
  CHECK(match("event.s == \"abc\"", ev));
  CHECK(match("event.s == abc", ev));  // bare word
  CHECK(match("event.s != 'abd'", ev));
  CHECK(match("event.s < 'abd'", ev));
  CHECK(match("event.s >= 'ab'", ev));
  CHECK(match("event.t == true", ev));
  CHECK(match("event.t == True", ev));
  CHECK(match("event.fl == false", ev));
  CHECK(match("event.fl < event.t", ev));
  CHECK(match("event.nul == null", ev));
  CHECK_FALSE(match("event.nul != null", ev));
  CHECK(match("event.i != null", ev));
  CHECK_FALSE(match("event.i == null", ev));
  CHECK_FALSE(match("event.nul < 1", ev));
  CHECK(match("event.list == [1, 2, 'x', 3.5]", ev));
  CHECK(match("event.obj.k == v", ev));
}

TEST_CASE("a value alone is a condition when it is a boolean") {
  CHECK(match("event.t", ev));
  CHECK_FALSE(match("event.fl", ev));
  CHECK(match("not event.fl", ev));
  CHECK_FALSE(match("event.i", ev));        // not a boolean: never matches
  CHECK_FALSE(match("not event.i", ev));
  CHECK_FALSE(match("event.missing", ev));
  CHECK_FALSE(match("not event.missing", ev));
  CHECK(match("true", ev));
  CHECK(match("True", ev));
  CHECK_FALSE(match("false", ev));
  CHECK_FALSE(match("hello", ev));
}

TEST_CASE("paths: quoted keys, indexes, negative indexes") {
  CHECK(match(R"(event.obj["a b"].c[0] == 10)", ev));
  CHECK(match(R"(event.obj['a b']["c"][-1] == 30)", ev));
  CHECK(match(R"(event.obj["a b"].c[-3] == 10)", ev));
  CHECK_FALSE(match(R"(event.obj["a b"].c[-4] == 10)", ev));
  CHECK_FALSE(match(R"(event.obj["a b"].c[3] is defined)", ev));
  CHECK(match("event.list[2] == x", ev));
  CHECK(match("event['s'] == 'abc'", ev));
}

TEST_CASE("arithmetic") {
  CHECK(match("event.i + 1 == 4", ev));
  CHECK(match("event.i - 1 == 2", ev));
  CHECK(match("event.i * 2 == 6", ev));
  CHECK(match("event.i / 2 == 1.5", ev));
  CHECK(match("event.i + event.g == 5.5", ev));
  CHECK(match("event.i - -1 == 4", ev));
  CHECK(match("event.s + 'd' == 'abcd'", ev));  // + joins two strings
  CHECK_FALSE(match("event.s + 1 == 'abc1'", ev));
  CHECK_FALSE(match("event.i / 0 == 0", ev));
  CHECK_FALSE(match("event.i / 0 != 0", ev));
  CHECK(match("9223372036854775807 + 1 == 9.223372036854775808e18", ev));  // overflow: double
}

TEST_CASE("and / or / not with unknown (Kleene logic)") {
  CHECK(match("event.i == 3 and event.s == 'abc'", ev));
  CHECK_FALSE(match("event.i == 3 and event.s == 'x'", ev));
  CHECK(match("event.i == 4 or event.s == 'abc'", ev));
  CHECK(match("event.missing == 1 or event.i == 3", ev));
  CHECK_FALSE(match("event.missing == 1 and event.i == 3", ev));
  CHECK_FALSE(match("event.missing == 1 or event.i == 4", ev));
  CHECK(match("not (event.missing == 1 and event.i == 4)", ev));  // no and unknown is no
  CHECK_FALSE(match("not (event.missing == 1 or event.i == 4)", ev));
  // Left to right at one level: (i == 4 or s == abc) and t == false → false.
  CHECK_FALSE(match("event.i == 4 or event.s == 'abc' and event.t == false", ev));
  CHECK(match("event.i == 4 or (event.s == 'abc' and event.t == true)", ev));
  CHECK(match("event.t == false and event.s == 'x' or event.i == 3", ev));
  CHECK(match("(event.i == 3) == true", ev));
}

TEST_CASE("a missing attribute never matches, whatever the operator") {
  const char* ops[] = {
      "event.nope == 1",         "event.nope != 1",
      "event.nope < 1",          "event.nope <= 1",
      "event.nope > 1",          "event.nope >= 1",
      "event.nope == null",      "event.nope != null",
      "event.nope + 1 == 2",     "event.nope * 2 > 0",
      "event.nope in [1, 2]",    "event.nope not in [1, 2]",
      "event.nope contains 1",   "event.nope not contains 1",
      "1 in event.nope",         "1 not in event.nope",
      "event.i in event.nope",   "event.list contains event.nope",
      "event.nope is match('x')", "event.nope is not match('x')",
      "event.nope is search('x')", "event.nope is not regex('x')",
      "event.nope is select('==', 1)", "event.nope is not select('==', 1)",
      "event.nope is selectattr('a', '==', 1)", "event.nope is not selectattr('a', '==', 1)",
      "event.list is select('==', event.nope)", "event.nope is defined",
      "not (event.nope == 1)",   "not (event.nope != 1)",
      "event.obj.k.deeper == 1", "event.list[9] == 1",
      "event.s[0] == 'a'",       "event.obj[0] == 1",
      "event.s is match(event.nope)", "event.i == events.m_0.x",
      "events.m_0 is defined",   "facts.f.x != 2",
  };
  for (const char* op : ops) {
    const std::string text = op;
    CAPTURE(text);
    CHECK_FALSE(match(op, ev));
  }
  CHECK(match("event.nope is not defined", ev));
  CHECK(match("event.obj.k.deeper is not defined", ev));
  CHECK(match("not (event.nope is defined)", ev));
}

TEST_CASE("an empty subject or no subject at all does not crash") {
  const auto p = ct::compile_ok("event.i == 1 or event.i is not defined");
  CHECK(p.matches(rb::condition::scope{}));
  const auto q = ct::compile_ok("event.i == 1");
  CHECK_FALSE(q.matches(rb::condition::scope{}));
  const rb::value scalar = 5;
  CHECK_FALSE(q.matches(rb::condition::scope{&scalar, {}, nullptr}));
}

TEST_CASE("in / not in on lists, with int/float equality and mixed types") {
  CHECK(match("event.i in [1, 2, 3]", ev));
  CHECK(match("event.i in [1.0, 3.0]", ev));
  CHECK(match("event.s in ['x', 'abc']", ev));
  CHECK(match("event.s in [\"x\", abc]", ev));
  CHECK_FALSE(match("event.i in ['3']", ev));
  CHECK(match("event.i not in ['3']", ev));
  CHECK(match("event.i not in [1, 2]", ev));
  CHECK_FALSE(match("event.i not in [3]", ev));
  CHECK(match("event.i in [1, event.f]", ev));  // a list with paths
  CHECK(match("event.i in [event.nope, 3]", ev));
  CHECK(match("event.s in event.list == false", R"({"s": "q", "list": ["a"]})") == false);
  CHECK(match("'x' in event.list", ev));
  CHECK_FALSE(match("event.i in event.empty", ev));
  CHECK(match("event.i in []", ev) == false);
  CHECK(match("event.i NOT IN []", ev));
  CHECK(match("[1, 2] in [[1, 2], 3]", ev));
}

TEST_CASE("contains / not contains: list membership; a non-list is a one-element list") {
  CHECK(match("event.list contains 2", ev));
  CHECK(match("event.list contains 2.0", ev));
  CHECK(match("event.list contains 'x'", ev));
  CHECK(match("event.strs contains fred", ev));
  CHECK_FALSE(match("event.list contains 'y'", ev));
  CHECK(match("event.list not contains 'y'", ev));
  CHECK_FALSE(match("event.list not contains 1", ev));
  // On a string, ansible-rulebook (Drools listContains) compares for equality, not substring.
  CHECK(match("event.s contains 'abc'", ev));
  CHECK_FALSE(match("event.s contains 'b'", ev));
  CHECK(match("event.s not contains 'b'", ev));
  CHECK(match("'abc' in event.s", ev));
  CHECK_FALSE(match("'b' in event.s", ev));
  CHECK(match("event.i in event.i", ev));
}

TEST_CASE("is defined / is not defined") {
  CHECK(match("event.i is defined", ev));
  CHECK(match("event.nul is defined", ev));  // present with null is defined
  CHECK_FALSE(match("event.i is not defined", ev));
  CHECK(match("event.x is not defined", ev));
  CHECK(match("event.list[-1] is defined", ev));
  CHECK(match("event.obj['a b'].c is defined and event.obj.zz is not defined", ev));
}
