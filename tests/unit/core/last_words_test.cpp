#include "core/last_words.h"

#include <doctest/doctest.h>

#include <memory>

TEST_CASE("last words: every registered callback runs, until it is unregistered") {
  int audit = 0, other = 0;
  auto first = std::make_unique<rb::last_words>([&] { ++audit; });
  {
    rb::last_words second([&] { ++other; });
    rb::last_words::say_all();
    CHECK(audit == 1);
    CHECK(other == 1);
  }
  rb::last_words::say_all();
  CHECK(audit == 2);
  CHECK(other == 1);
  first.reset();
  rb::last_words::say_all();
  CHECK(audit == 2);
}

TEST_CASE("last words: a callback that throws does not stop the others") {
  int ran = 0;
  rb::last_words thrower([] { throw 1; });
  rb::last_words counter([&] { ++ran; });
  rb::last_words::say_all();
  CHECK(ran == 1);
}
