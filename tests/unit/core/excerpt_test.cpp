// excerpt_at / abbreviate: windows of long lines for messages.
#include "core/excerpt.h"

#include <doctest/doctest.h>

#include <string>

TEST_CASE("a short line is quoted whole with the caret under the column") {
  const rb::excerpt e = rb::excerpt_at("event.i == 1 andd 2", 14);
  CHECK(e.text == "event.i == 1 andd 2");
  CHECK(e.caret == "             ^");
  CHECK(rb::excerpt_at("abc", 4).caret == "   ^");     // one past the end
  CHECK(rb::excerpt_at("\tx y", 4).caret == "\t  ^");  // tabs stay tabs
}

TEST_CASE("a long line is cut around the column, '...' on each cut side") {
  std::string line(1000, 'a');
  line[500] = 'X';
  const rb::excerpt e = rb::excerpt_at(line, 501, 80);
  CHECK(e.text.size() == 3 + 80 + 3);
  CHECK(e.text.rfind("...", 0) == 0);
  CHECK(e.text.substr(e.text.size() - 3) == "...");
  CHECK(e.text[e.caret.size() - 1] == 'X');

  const rb::excerpt start = rb::excerpt_at(line, 1, 80);  // at the start: cut on the right only
  CHECK(start.text.substr(0, 3) == "aaa");
  CHECK(start.caret == "^");
  const rb::excerpt end = rb::excerpt_at(line, 1001, 80);  // past the end: cut on the left only
  CHECK(end.text.size() == 83);
  CHECK(end.caret.size() == 84);
}

TEST_CASE("windows count code points and never split one") {
  std::string line;
  for (int i = 0; i < 200; ++i) line += "é";  // 2 bytes each
  line += "!";
  const rb::excerpt e = rb::excerpt_at(line, 401, 20);  // the '!'
  CHECK(e.text == "..." + std::string(line.substr(400 - 2 * 20 + 2, 2 * 19)) + "!");
  CHECK(e.caret == std::string(3 + 19, ' ') + "^");
  CHECK(rb::abbreviate("ééé", 2) == "éé...");
  CHECK(rb::abbreviate("abc", 3) == "abc");
}
