// condition_text::text_pos is the file position of the first character of the condition text,
// so a column reported inside the condition can be turned into a file column.
#include <doctest/doctest.h>

#include "rulebook_test_util.h"

namespace {
const rb::rulebook::condition_text& cond(const rb::rulebook::load_result& r, std::size_t rule,
                                         std::size_t i = 0) {
  return r.model.rulesets.at(0).rules.at(rule).condition.conditions.at(i);
}
}  // namespace

TEST_CASE("positions of plain, quoted and block conditions") {
  auto r = rbt::load(rbt::ruleset_with_rules(R"(    - name: plain
      condition: event.i == 1
      action: {none: }
    - name: double
      condition: "event.s == 'x'"
      action: {none: }
    - name: single
      condition: 'event.s == "x"'
      action: {none: }
    - name: literal
      condition: |
        event.i == 1 and
          event.j == 2
      action: {none: }
    - name: folded
      condition: >-

        event.i == 1
        and event.j == 2
      action: {none: }
    - name: multi-line plain
      condition: event.i == 1
        and event.j == 2
      action: {none: }
    - name: escapes
      condition: "event.s == \"x\""
      action: {none: }
    - name: in lists
      condition:
        all:
          - event.i == 1
          - "event.j == 2"
      action: {none: }
    - name: anchored
      condition: &c event.k == 3
      action: {none: }
)"));
  CHECK_OK(r);
  // Header is 6 lines; the first rule starts on line 7.
  CHECK(cond(r, 0).text == "event.i == 1");
  CHECK(cond(r, 0).text_pos.line == 8);
  CHECK(cond(r, 0).text_pos.column == 18);
  CHECK(cond(r, 0).single_line);

  CHECK(cond(r, 1).text == "event.s == 'x'");
  CHECK(cond(r, 1).text_pos.line == 11);
  CHECK(cond(r, 1).text_pos.column == 19);  // one after the opening quote
  CHECK(cond(r, 1).single_line);

  CHECK(cond(r, 2).text == "event.s == \"x\"");
  CHECK(cond(r, 2).text_pos.column == 19);
  CHECK(cond(r, 2).single_line);

  CHECK(cond(r, 3).text == "event.i == 1 and\n  event.j == 2");
  CHECK(cond(r, 3).text_pos.line == 18);
  CHECK(cond(r, 3).text_pos.column == 9);
  CHECK_FALSE(cond(r, 3).single_line);

  CHECK(cond(r, 4).text == "event.i == 1 and event.j == 2");
  CHECK(cond(r, 4).text_pos.line == 24);  // the blank line after '>-' is skipped
  CHECK(cond(r, 4).text_pos.column == 9);
  CHECK_FALSE(cond(r, 4).single_line);

  CHECK(cond(r, 5).text == "event.i == 1 and event.j == 2");
  CHECK(cond(r, 5).text_pos.line == 28);
  CHECK(cond(r, 5).text_pos.column == 18);
  CHECK_FALSE(cond(r, 5).single_line);

  CHECK(cond(r, 6).text == "event.s == \"x\"");
  CHECK(cond(r, 6).text_pos.column == 19);
  CHECK_FALSE(cond(r, 6).single_line);  // escapes shift columns

  CHECK(cond(r, 7, 0).text_pos.line == 37);
  CHECK(cond(r, 7, 0).text_pos.column == 13);
  CHECK(cond(r, 7, 1).text_pos.line == 38);
  CHECK(cond(r, 7, 1).text_pos.column == 14);
  CHECK(cond(r, 7, 1).single_line);

  CHECK(cond(r, 8).text == "event.k == 3");
  CHECK(cond(r, 8).text_pos.column == 21);  // after the anchor
  CHECK(cond(r, 8).single_line);
}

TEST_CASE("a column inside the condition maps to the file column") {
  auto r = rbt::load(rbt::ruleset_with_rules(R"(    - name: q
      condition: "event.i === 1"
      action: {none: }
)"));
  CHECK_OK(r);
  const auto& c = cond(r, 0);
  // The condition compiler would report "===" at column 9 (1-based) of the text.
  const int file_column = c.text_pos.column + 9 - 1;
  CHECK(file_column == 27);
  CHECK(c.text.substr(8, 3) == "===");
}
