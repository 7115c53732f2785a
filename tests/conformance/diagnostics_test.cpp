// Load errors on very long lines: the message quotes a window around the column, not the line.
#include <string>

#include "conformance.h"

using namespace conformance;

namespace {

// The two lines after the "invalid condition" message: the quoted text and the caret line.
struct quoted {
  std::string where, text, caret;
};

quoted quoted_lines(const std::string& err) {
  quoted q;
  const std::size_t msg = err.find("invalid condition");
  if (msg == std::string::npos) return q;
  const std::size_t line_start =
      err.rfind('\n', msg) == std::string::npos ? 0 : err.rfind('\n', msg) + 1;
  q.where = err.substr(line_start, msg - line_start);
  const std::size_t a = err.find('\n', msg);
  const std::size_t b = err.find('\n', a + 1);
  const std::size_t c = err.find('\n', b + 1);
  q.text = err.substr(a + 1, b - a - 1);
  q.caret = err.substr(b + 1, c == std::string::npos ? std::string::npos : c - b - 1);
  return q;
}

}  // namespace

TEST_CASE("a condition error on a 200,000-character line quotes 80 characters around the column") {
  rb::test::temp_dir dir;
  const std::string filler(200000, 'a');
  const std::string condition = "event.x == \"" + filler + "\" and event.y === 1";
  const std::string path = dir.write("long.yml", R"(---
- name: long line
  hosts: all
  sources:
    - generic:
        payload: [{i: 1}]
  rules:
    - name: long
      condition: )" + condition + R"(
      action:
        debug:
)");
  const auto r = rb::test::run_rulebook({"-r", path});
  CHECK(r.exit_code == 1);
  const quoted q = quoted_lines(r.err);
  INFO("stderr starts: " << r.err.substr(0, 400));
  REQUIRE(q.where.find("long.yml:9:") != std::string::npos);
  CHECK(r.err.size() < 2000);
  // "    ..." + 80 characters (the line goes on to the end: no "..." after it).
  CHECK(q.text.rfind("    ...", 0) == 0);
  CHECK(q.text.size() <= 4 + 3 + 80 + 3);
  CHECK(q.text.find("and event.y === 1") != std::string::npos);
  // The caret stands under the character the position names.
  const std::size_t col_at = q.where.find("long.yml:9:") + 11;
  const std::size_t column = std::stoul(q.where.substr(col_at));
  const std::string line = "      condition: " + condition;
  REQUIRE(column >= 1);
  REQUIRE(column <= line.size());
  const std::size_t caret = q.caret.find('^');
  REQUIRE(caret != std::string::npos);
  REQUIRE(caret < q.text.size());
  CHECK(q.text[caret] == line[column - 1]);
  CHECK(q.text.substr(caret, 5) == line.substr(column - 1, 5));
}

TEST_CASE("a short condition is quoted whole, the caret under the column") {
  rb::test::temp_dir dir;
  const std::string path = dir.write("short.yml", R"(---
- name: short
  hosts: all
  sources:
    - generic:
        payload: [{i: 1}]
  rules:
    - name: short
      condition: event.i == 1 andd event.j == 2
      action:
        debug:
)");
  const auto r = rb::test::run_rulebook({"-r", path});
  CHECK(r.exit_code == 1);
  const quoted q = quoted_lines(r.err);
  CHECK(q.where.find("short.yml:9:31: rule 'short'") != std::string::npos);
  CHECK(q.text == "    event.i == 1 andd event.j == 2");
  CHECK(q.caret == "                 ^");  // 4 + 13 blanks
}
