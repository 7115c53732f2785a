#include "filters/fnmatch.h"

#include <doctest/doctest.h>

using rb::filters::glob_pattern;

namespace {
bool m(const char* pattern, const char* text) { return glob_pattern(pattern).match(text); }
}  // namespace

// Expected values are what Python's fnmatch.fnmatchcase(text, pattern) returns.
TEST_CASE("fnmatch: stars and question marks") {
  CHECK(m("*", ""));
  CHECK(m("*", "anything/at.all"));
  CHECK(m("a*", "a"));
  CHECK(m("*_config*", "app_config_prod"));
  CHECK_FALSE(m("*_config*", "config"));
  CHECK(m("a**b", "axxb"));
  CHECK(m("*a*b*c", "xxaxbxbyc"));
  CHECK_FALSE(m("*a*b*c", "xxaxbxbycd"));
  CHECK(m("key?", "key1"));
  CHECK_FALSE(m("key?", "key10"));
  CHECK_FALSE(m("key?", "key"));
  CHECK(m("?", "\n"));              // re.DOTALL
  CHECK(m("caf?", "caf\xc3\xa9"));  // one code point, two bytes
  CHECK_FALSE(m("caf??", "caf\xc3\xa9"));
  CHECK(m(".*", ".hidden"));
  CHECK_FALSE(m("Key", "key"));
}

TEST_CASE("fnmatch: brackets") {
  CHECK(m("[ab]", "a"));
  CHECK_FALSE(m("[ab]", "c"));
  CHECK(m("[!ab]", "c"));
  CHECK_FALSE(m("[!ab]", "a"));
  CHECK(m("[a-c]x", "bx"));
  CHECK_FALSE(m("[a-c]x", "dx"));
  CHECK(m("[]]", "]"));
  CHECK(m("[!]]", "a"));
  CHECK_FALSE(m("[!]]", "]"));
  CHECK(m("[-a]", "-"));
  CHECK(m("[a-]", "-"));
  CHECK(m("[a-c-e]", "-"));
  CHECK(m("[a-c-e]", "e"));
  CHECK_FALSE(m("[a-c-e]", "d"));
  // Quirks of fnmatch.translate: '^' is not negation; a reversed range matches nothing.
  CHECK(m("[^a]", "^"));
  CHECK(m("[^a]", "a"));
  CHECK_FALSE(m("[^a]", "b"));
  CHECK_FALSE(m("[z-a]", "m"));
  CHECK(m("[!z-a]", "m"));  // negation of nothing: any character
  CHECK(m("[c-ab-d]", "b"));
  CHECK_FALSE(m("[c-ab-d]", "a"));
  CHECK(m("[\xc3\xa0-\xc3\xbf]", "\xc3\xa9"));  // ranges by code point
  // No escaping: a backslash is an ordinary character, inside brackets too.
  CHECK(m("a\\*", "a\\xyz"));
  CHECK(m("[\\]", "\\"));
  // An unterminated bracket is a literal '['.
  CHECK(m("a[b", "a[b"));
  CHECK(m("[*", "[xyz"));
  CHECK_FALSE(m("[!", "a"));
}

TEST_CASE("fnmatch: literal patterns") {
  CHECK(glob_pattern("plain.key").is_literal());
  CHECK(glob_pattern("a[b").is_literal());
  CHECK_FALSE(glob_pattern("a*").is_literal());
  CHECK_FALSE(glob_pattern("[a]").is_literal());
  CHECK(m("", ""));
  CHECK_FALSE(m("", "a"));
}

TEST_CASE("fnmatch: invalid UTF-8 never breaks matching") {
  CHECK(m("*", "\xff\xfe"));
  CHECK(m("??", "\xff\xfe"));
  CHECK(m("\xff", "\xff"));
  CHECK_FALSE(m("?", "\xff\xfe"));
}
