// The lexer: token kinds, 1-based columns, number forms, string quoting and its errors.
#include <doctest/doctest.h>

#include "condition/condition.h"
#include "condition/lexer.h"

using namespace rb::condition;

TEST_CASE("tokens carry kinds and 1-based columns") {
  const auto t = tokenize("event.i >= 10 and x");
  REQUIRE(t.size() == 8);
  CHECK(t[0].kind == token_kind::word);
  CHECK(t[0].text == "event");
  CHECK(t[0].column == 1);
  CHECK(t[1].kind == token_kind::dot);
  CHECK(t[1].column == 6);
  CHECK(t[2].column == 7);
  CHECK(t[3].kind == token_kind::ge);
  CHECK(t[3].column == 9);
  CHECK(t[4].kind == token_kind::integer);
  CHECK(t[4].int_value == 10);
  CHECK(t[4].column == 12);
  CHECK(t[5].text == "and");
  CHECK(t[7].kind == token_kind::end);
  CHECK(t[7].column == 20);
}

TEST_CASE("every operator token") {
  const auto t = tokenize("== != < <= > >= + - * / << = ( ) [ ] , .");
  const token_kind want[] = {token_kind::eq,       token_kind::ne,     token_kind::lt,
                             token_kind::le,       token_kind::gt,     token_kind::ge,
                             token_kind::plus,     token_kind::minus,  token_kind::star,
                             token_kind::slash,    token_kind::shift_left, token_kind::assign,
                             token_kind::lparen,   token_kind::rparen, token_kind::lbracket,
                             token_kind::rbracket, token_kind::comma,  token_kind::dot,
                             token_kind::end};
  REQUIRE(t.size() == std::size(want));
  for (std::size_t i = 0; i < t.size(); ++i) CHECK(t[i].kind == want[i]);
}

TEST_CASE("numbers: integers, reals, exponents, huge values") {
  auto one = [](const char* s) { return tokenize(s).at(0); };
  CHECK(one("42").kind == token_kind::integer);
  CHECK(one("3.1415").kind == token_kind::real);
  CHECK(one("3.1415").real_value == doctest::Approx(3.1415));
  CHECK(one("1.5e+2").real_value == 150.0);
  CHECK(one("2E3").kind == token_kind::real);
  CHECK(one("2E3").real_value == 2000.0);
  CHECK(one("1e-2").real_value == doctest::Approx(0.01));
  CHECK(one("18446744073709551615").is_unsigned);
  CHECK(one("99999999999999999999999").kind == token_kind::real);
  // `1.` is not a real: the dot belongs to whatever follows.
  CHECK(tokenize("1.x").size() == 4);
}

TEST_CASE("strings: both quotes, no escapes but whitespace ones") {
  auto one = [](const char* s) { return tokenize(s).at(0); };
  CHECK(one("'it\"s'").text == "it\"s");
  CHECK(one("\"it's\"").text == "it's");
  CHECK(one(R"("a\.b")").text == R"(a\.b)");  // regexes keep their backslashes
  CHECK(one(R"("a\tb\nc")").text == "a\tb\nc");
  CHECK(one("''").text.empty());
}

TEST_CASE("lexer errors name the problem and the column") {
  auto err = [](const char* s) -> error {
    try {
      tokenize(s);
    } catch (const error& e) {
      return e;
    }
    FAIL("expected an error for " << s);
    return {};
  };
  auto e = err("event.s == 'abc");
  CHECK(e.column == 12);
  CHECK(e.message.find("unterminated string") != std::string::npos);
  e = err("event.a ! 1");
  CHECK(e.column == 9);
  CHECK(e.message.find("'!='") != std::string::npos);
  e = err("event.a && 1");
  CHECK(e.column == 9);
  CHECK(e.message.find("and") != std::string::npos);
  e = err("event.a == 12abc");
  CHECK(e.column == 14);
  CHECK(e.message.find("after the number '12'") != std::string::npos);
  e = err("event.a == @");
  CHECK(e.column == 12);
  CHECK(e.message == "unexpected character '@'");
  e = err("event.a == \x01");
  CHECK(e.message == "unexpected character '\\x01'");
}
