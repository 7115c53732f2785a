#include "condition/lexer.h"

#include <cerrno>
#include <cstdlib>
#include <cstdio>

#include "condition/condition.h"
#include "condition/template_python.h"

namespace rb::condition {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_word_char(char c) { return is_word_start(c) || is_digit(c); }

[[noreturn]] void fail(std::string message, std::size_t offset) {
  throw error{std::move(message), offset + 1};
}

std::string show_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u < 0x20 || u >= 0x7f) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", u);
    return buf;
  }
  return std::string(1, c);
}

class lexer {
 public:
  lexer(std::string_view text, bool template_syntax) : s_(text), template_(template_syntax) {}

  std::vector<token> run() {
    std::vector<token> out;
    for (;;) {
      skip_space();
      token t;
      t.begin = pos_;
      t.column = pos_ + 1;
      if (pos_ >= s_.size()) {
        t.kind = token_kind::end;
        t.end = pos_;
        out.push_back(std::move(t));
        return out;
      }
      const char c = s_[pos_];
      if (is_digit(c)) {
        number(t);
      } else if (is_word_start(c)) {
        while (pos_ < s_.size() && is_word_char(s_[pos_])) ++pos_;
        t.kind = token_kind::word;
        t.text.assign(s_.substr(t.begin, pos_ - t.begin));
      } else if (c == '\'' || c == '"') {
        quoted(t, c);
      } else {
        punct(t, c);
      }
      t.end = pos_;
      out.push_back(std::move(t));
    }
  }

 private:
  void skip_space() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }

  // pyparsing_common.number: an integer, a real with a fraction, or either with an exponent.
  // A sign is not part of the token: the parser folds `-` into a following literal.
  void number(token& t) {
    const std::size_t start = pos_;
    bool real = false;
    while (pos_ < s_.size() && is_digit(s_[pos_])) ++pos_;
    if (pos_ + 1 < s_.size() && s_[pos_] == '.' && is_digit(s_[pos_ + 1])) {
      real = true;
      ++pos_;
      while (pos_ < s_.size() && is_digit(s_[pos_])) ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      std::size_t p = pos_ + 1;
      if (p < s_.size() && (s_[p] == '+' || s_[p] == '-')) ++p;
      if (p < s_.size() && is_digit(s_[p])) {
        real = true;
        pos_ = p;
        while (pos_ < s_.size() && is_digit(s_[pos_])) ++pos_;
      }
    }
    if (pos_ < s_.size() && is_word_char(s_[pos_]))
      fail("unexpected '" + show_char(s_[pos_]) + "' after the number '" +
               std::string(s_.substr(start, pos_ - start)) + "'",
           pos_);
    const std::string spelling(s_.substr(start, pos_ - start));
    if (!real) {
      errno = 0;
      char* endp = nullptr;
      const long long v = std::strtoll(spelling.c_str(), &endp, 10);
      if (errno == 0) {
        t.kind = token_kind::integer;
        t.int_value = v;
        return;
      }
      errno = 0;
      const unsigned long long u = std::strtoull(spelling.c_str(), &endp, 10);
      if (errno == 0) {
        t.kind = token_kind::integer;
        t.is_unsigned = true;
        t.uint_value = u;
        return;
      }
      // Too large for 64 bits: Python keeps a big int; the closest we have is a double.
    }
    t.kind = token_kind::real;
    t.real_value = std::strtod(spelling.c_str(), nullptr);
  }

  // pyparsing's QuotedString without an escape character: the quote cannot be escaped (use the
  // other quote), a backslash stays as written (so regexes keep `\.`), and only the whitespace
  // escapes \t \n \r \f are converted.
  void quoted(token& t, char quote) {
    if (template_) return template_quoted(t, quote);
    const std::size_t open = pos_;
    ++pos_;
    std::string out;
    for (;;) {
      if (pos_ >= s_.size()) fail(std::string("unterminated string: no closing ") + quote, open);
      const char c = s_[pos_];
      if (c == quote) {
        ++pos_;
        break;
      }
      if (c == '\\' && pos_ + 1 < s_.size()) {
        const char n = s_[pos_ + 1];
        const char ws = n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n == 'f' ? '\f' : 0;
        if (ws) {
          out += ws;
          pos_ += 2;
          continue;
        }
      }
      out += c;
      ++pos_;
    }
    t.kind = token_kind::string;
    t.text = std::move(out);
  }

  // Jinja's string literals: a backslash escapes any character (so `\'` is a quote), then the
  // content is decoded like a Python string (`\n`, `\\`, `\x41`, `\u00e9`, octal; unknown escapes
  // keep their backslash).
  void template_quoted(token& t, char quote) {
    const std::size_t open = pos_;
    ++pos_;
    while (pos_ < s_.size() && s_[pos_] != quote)
      pos_ += (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ? 2 : 1;
    if (pos_ >= s_.size()) fail(std::string("unterminated string: no closing ") + quote, open);
    std::string error;
    if (!py::decode_escapes(s_.substr(open + 1, pos_ - open - 1), t.text, &error))
      fail("invalid string: " + error, open);
    ++pos_;
    t.kind = token_kind::string;
  }

  void punct(token& t, char c) {
    const char n = pos_ + 1 < s_.size() ? s_[pos_ + 1] : '\0';
    auto one = [&](token_kind k) {
      t.kind = k;
      pos_ += 1;
    };
    auto two = [&](token_kind k) {
      t.kind = k;
      pos_ += 2;
    };
    switch (c) {
      case '(': return one(token_kind::lparen);
      case ')': return one(token_kind::rparen);
      case '[': return one(token_kind::lbracket);
      case ']': return one(token_kind::rbracket);
      case ',': return one(token_kind::comma);
      case '.': return one(token_kind::dot);
      case '+': return one(token_kind::plus);
      case '-': return one(token_kind::minus);
      case '*': return one(token_kind::star);
      case '/': return one(token_kind::slash);
      case '=': return n == '=' ? two(token_kind::eq) : one(token_kind::assign);
      case '!':
        if (n == '=') return two(token_kind::ne);
        fail("unexpected '!': use 'not' for negation or '!=' for inequality", pos_);
      case '<':
        if (n == '=') return two(token_kind::le);
        if (n == '<') return two(token_kind::shift_left);
        return one(token_kind::lt);
      case '>':
        if (n == '=') return two(token_kind::ge);
        return one(token_kind::gt);
      case '|':
        if (template_) return one(token_kind::pipe);
        [[fallthrough]];
      case '&':
        fail(std::string("unexpected '") + c + "': use 'and' / 'or'", pos_);
      default:
        fail("unexpected character '" + show_char(c) + "'", pos_);
    }
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  bool template_ = false;
};

}  // namespace

std::vector<token> tokenize(std::string_view text, bool template_syntax) {
  return lexer(text, template_syntax).run();
}

std::string describe(const token& t) {
  switch (t.kind) {
    case token_kind::end: return "end of condition";
    case token_kind::string: return "the string \"" + t.text + "\"";
    case token_kind::word: return "'" + t.text + "'";
    case token_kind::integer:
      return "'" + (t.is_unsigned ? std::to_string(t.uint_value) : std::to_string(t.int_value)) +
             "'";
    case token_kind::real: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%g", t.real_value);
      return std::string("'") + buf + "'";
    }
    case token_kind::lparen: return "'('";
    case token_kind::rparen: return "')'";
    case token_kind::lbracket: return "'['";
    case token_kind::rbracket: return "']'";
    case token_kind::comma: return "','";
    case token_kind::dot: return "'.'";
    case token_kind::eq: return "'=='";
    case token_kind::ne: return "'!='";
    case token_kind::lt: return "'<'";
    case token_kind::le: return "'<='";
    case token_kind::gt: return "'>'";
    case token_kind::ge: return "'>='";
    case token_kind::plus: return "'+'";
    case token_kind::minus: return "'-'";
    case token_kind::star: return "'*'";
    case token_kind::slash: return "'/'";
    case token_kind::shift_left: return "'<<'";
    case token_kind::assign: return "'='";
    case token_kind::pipe: return "'|'";
  }
  return "?";
}

}  // namespace rb::condition
