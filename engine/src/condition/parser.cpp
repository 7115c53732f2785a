#include "condition/parser.h"

#include <array>
#include <cctype>

#include "condition/condition.h"
#include "condition/lexer.h"

namespace rb::condition {
namespace {

constexpr std::array<std::string_view, 9> select_ops = {"==", "!=", ">",      ">=",   "<",
                                                         "<=", "regex", "search", "match"};
constexpr std::array<std::string_view, 13> selectattr_ops = {
    "==",    "!=",    ">", ">=", "<", "<=", "regex", "search", "match", "in", "not in", "contains",
    "not contains"};

template <std::size_t N>
std::string join(const std::array<std::string_view, N>& ops) {
  std::string out;
  for (auto op : ops) {
    if (!out.empty()) out += ", ";
    out += op;
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

[[noreturn]] void fail(std::string message, std::size_t column) {
  throw error{std::move(message), column};
}

ast_ptr make(ast_kind kind, std::size_t column) {
  auto n = std::make_unique<ast_node>();
  n->kind = kind;
  n->column = column;
  return n;
}

class parser {
 public:
  parser(std::vector<token> toks, parse_mode mode) : toks_(std::move(toks)), mode_(mode) {}

  parsed_condition run() {
    parsed_condition out;
    if (peek().kind == token_kind::end) fail("empty condition", 1);
    out.root = parse_logical();
    if (peek().kind == token_kind::shift_left && mode_ == parse_mode::condition) {
      const token& op = next();
      const ast_node& lhs = *out.root;
      if (lhs.kind != ast_kind::path)
        fail("'<<' may only follow events.<name> or facts.<name> at the start of a condition",
             op.column);
      const bool ok = lhs.kind == ast_kind::path &&
                      (lhs.origin == path_origin::events || lhs.origin == path_origin::facts) &&
                      lhs.steps.empty();
      if (!ok)
        fail("the left side of '<<' must be events.<name> or facts.<name>, found '" +
                 spelling_of(lhs) + "'",
             lhs.column);
      out.assigned_name = lhs.bound_name;
      out.assigned_origin = lhs.origin;
      if (peek().kind == token_kind::end) fail("expected a condition after '<<'", op.end + 1);
      out.root = parse_logical();
      if (peek().kind == token_kind::shift_left)
        fail("only one '<<' assignment is allowed, at the start of the condition", peek().column);
    }
    if (peek().kind != token_kind::end) unexpected_after_operand("");
    return out;
  }

 private:
  const token& peek(std::size_t ahead = 0) const {
    const std::size_t i = pos_ + ahead;
    return i < toks_.size() ? toks_[i] : toks_.back();
  }
  const token& next() {
    const token& t = toks_[pos_];
    if (pos_ + 1 < toks_.size()) ++pos_;
    return t;
  }
  bool word_is(const token& t, std::string_view w) const {
    return t.kind == token_kind::word && t.text == w;
  }
  bool word_ci(const token& t, std::string_view w) const {
    return t.kind == token_kind::word && iequals(t.text, w);
  }

  static std::string spelling_of(const ast_node& n) {
    if (n.kind == ast_kind::path) return n.spelling;
    if (n.kind == ast_kind::literal) return n.literal.dump();
    return "expression";
  }

  // A token where an operator (or the end) was expected: say precisely what is wrong.
  [[noreturn]] void unexpected_after_operand(std::string_view closing) {
    const token& t = peek();
    switch (t.kind) {
      case token_kind::word:
        if (iequals(t.text, "and") || iequals(t.text, "or") || iequals(t.text, "not") ||
            iequals(t.text, "is"))
          fail("unknown operator '" + t.text + "' (and, or, not, is are lowercase)", t.column);
        fail("unknown operator '" + t.text + "'", t.column);
      case token_kind::assign: fail("unknown operator '='; use '==' to compare", t.column);
      case token_kind::rparen:
        if (closing.empty()) fail("unexpected ')' without a matching '('", t.column);
        break;
      case token_kind::shift_left:
        fail("'<<' may only follow events.<name> or facts.<name> at the start of a condition",
             t.column);
      case token_kind::integer:
      case token_kind::real:
      case token_kind::string:
      case token_kind::lbracket:
      case token_kind::lparen:
        if (closing.empty()) fail("expected an operator, found " + describe(t), t.column);
        break;
      default:
        break;
    }
    if (!closing.empty()) fail(std::string(closing) + ", found " + describe(t), t.column);
    fail("unexpected " + describe(t), t.column);
  }

  // and / or: one level, left to right, as ansible-rulebook's grammar has them.
  ast_ptr parse_logical() {
    ast_ptr left = parse_not();
    for (;;) {
      const token& t = peek();
      binary_op op;
      if (word_is(t, "and")) op = binary_op::and_;
      else if (word_is(t, "or")) op = binary_op::or_;
      else return left;
      next();
      expect_operand_after(t);
      auto n = make(ast_kind::logical, left->column);
      n->op = op;
      n->children.push_back(std::move(left));
      n->children.push_back(parse_not());
      left = std::move(n);
    }
  }

  // Bounds recursion so a hostile condition cannot overflow the stack.
  struct depth_guard {
    parser& p;
    explicit depth_guard(parser& owner, std::size_t column) : p(owner) {
      if (++p.depth_ > max_depth)
        fail("the condition is nested too deeply (more than " + std::to_string(max_depth) +
                 " levels)",
             column);
    }
    ~depth_guard() { --p.depth_; }
  };
  static constexpr std::size_t max_depth = 200;

  ast_ptr parse_not() {
    const token& t = peek();
    depth_guard guard(*this, t.column);
    if (word_is(t, "not")) {
      next();
      expect_operand_after(t);
      auto n = make(ast_kind::negate, t.column);
      n->children.push_back(parse_not());
      return n;
    }
    return parse_membership();
  }

  ast_ptr parse_membership() {
    ast_ptr left = parse_is();
    for (;;) {
      const token& t = peek();
      binary_op op;
      std::size_t width = 1;
      if (word_ci(t, "in")) op = binary_op::in;
      else if (word_ci(t, "contains")) op = binary_op::contains;
      else if (word_ci(t, "not") && word_ci(peek(1), "in")) op = binary_op::not_in, width = 2;
      else if (word_ci(t, "not") && word_ci(peek(1), "contains"))
        op = binary_op::not_contains, width = 2;
      else return left;
      const token& last = peek(width - 1);
      for (std::size_t i = 0; i < width; ++i) next();
      expect_operand_after(last);
      auto n = make(ast_kind::binary, left->column);
      n->op = op;
      n->children.push_back(std::move(left));
      n->children.push_back(parse_is());
      left = std::move(n);
    }
  }

  ast_ptr parse_is() {
    ast_ptr left = parse_binary(1);
    while (word_is(peek(), "is")) {
      const token& is_tok = next();
      bool negated = false;
      if (word_is(peek(), "not")) {
        next();
        negated = true;
      }
      const token& what = peek();
      ast_ptr n;
      if (word_is(what, "defined")) {
        next();
        n = make(ast_kind::is_defined, left->column);
        n->children.push_back(std::move(left));
      } else if (word_is(what, "match") || word_is(what, "search") || word_is(what, "regex")) {
        n = parse_search(std::move(left));
      } else if (word_is(what, "select")) {
        n = parse_select(std::move(left), false);
      } else if (word_is(what, "selectattr")) {
        n = parse_select(std::move(left), true);
      } else {
        fail(std::string("expected defined, match, search, regex, select or selectattr after '") +
                 (negated ? "is not" : "is") + "', found " + describe(what),
             what.column);
      }
      (void)is_tok;
      n->negated = negated;
      left = std::move(n);
    }
    return left;
  }

  static int precedence(token_kind k) {
    switch (k) {
      case token_kind::star:
      case token_kind::slash: return 7;
      case token_kind::plus:
      case token_kind::minus: return 6;
      case token_kind::ge: return 5;
      case token_kind::le: return 4;
      case token_kind::lt:
      case token_kind::gt: return 3;
      case token_kind::ne: return 2;
      case token_kind::eq: return 1;
      default: return 0;
    }
  }

  static binary_op to_op(token_kind k) {
    switch (k) {
      case token_kind::star: return binary_op::mul;
      case token_kind::slash: return binary_op::div;
      case token_kind::plus: return binary_op::add;
      case token_kind::minus: return binary_op::sub;
      case token_kind::ge: return binary_op::ge;
      case token_kind::le: return binary_op::le;
      case token_kind::lt: return binary_op::lt;
      case token_kind::gt: return binary_op::gt;
      case token_kind::ne: return binary_op::ne;
      default: return binary_op::eq;
    }
  }

  // Precedence climbing over the comparison and arithmetic levels, all left-associative.
  ast_ptr parse_binary(int min_prec) {
    ast_ptr left = parse_postfix();
    for (;;) {
      const token& t = peek();
      const int prec = precedence(t.kind);
      if (prec == 0 || prec < min_prec) return left;
      next();
      expect_operand_after(t);
      auto n = make(ast_kind::binary, left->column);
      n->op = to_op(t.kind);
      n->children.push_back(std::move(left));
      n->children.push_back(parse_binary(prec + 1));
      left = std::move(n);
    }
  }

  // Template expressions only: an operand, then steps into it when it is computed (`(x).key`) and
  // method calls (`x.split(',')`) in any order, then filters `x | f | g(1, key=2)`. Only template
  // expressions have `|` tokens, so conditions and plain expressions are unaffected.
  ast_ptr parse_postfix() {
    ast_ptr left = parse_primary();
    while (mode_ == parse_mode::template_expression) {
      if (peek().kind == token_kind::lparen) {
        left = parse_method_call(std::move(left));
        continue;
      }
      if ((peek().kind != token_kind::dot && peek().kind != token_kind::lbracket) ||
          peek().begin != toks_[pos_ - 1].end)
        break;
      // `(x | from_json).key`, `[1, 2][0]`, `x.split()[0]`: steps into a computed value.
      auto n = make(ast_kind::subscript, left->column);
      const std::size_t begin = peek().begin;
      const std::size_t end = parse_steps(n->steps, begin);
      n->spelling = "(...)" + std::string(text_between(begin, end));
      n->children.push_back(std::move(left));
      left = std::move(n);
    }
    while (peek().kind == token_kind::pipe) left = parse_filter(std::move(left));
    return left;
  }

  // `receiver.name(args)`: the path or subscript just parsed ends with the step `.name`, which
  // becomes the method and is taken off the receiver.
  ast_ptr parse_method_call(ast_ptr left) {
    const token& open = peek();
    if (left->kind == ast_kind::path && left->steps.size() == 1 &&
        left->origin == path_origin::bare)
      fail("calling '" + left->spelling +
               "' is not supported: a template may call methods of values (x.split(',')), not "
               "functions",
           left->column);
    const bool after_path = left->kind == ast_kind::path || left->kind == ast_kind::subscript;
    const bool dotted_name = pos_ >= 2 && toks_[pos_ - 1].kind == token_kind::word &&
                             toks_[pos_ - 2].kind == token_kind::dot;
    if (!after_path || !dotted_name || left->steps.empty() ||
        left->steps.back().type != path_step::kind::key)
      fail("expected an operator, found '('", open.column);
    const token& name = toks_[pos_ - 1];
    left->steps.pop_back();
    left->spelling.resize(left->spelling.size() - name.text.size() - 1);
    if (left->kind == ast_kind::subscript && left->steps.empty()) {
      ast_ptr inner = std::move(left->children[0]);
      left = std::move(inner);
    }
    auto n = make(ast_kind::method_call, left->column);
    n->op_text = name.text;
    n->op_column = name.column;
    n->children.push_back(std::move(left));
    parse_arguments(*n, "method '" + name.text + "'");
    return n;
  }

  ast_ptr parse_filter(ast_ptr input) {
    next();  // '|'
    const token& name = peek();
    if (name.kind != token_kind::word)
      fail("expected a filter name after '|', found " + describe(name), name.column);
    next();
    auto n = make(ast_kind::filter, input->column);
    n->op_text = name.text;
    n->op_column = name.column;
    // Dotted names (`ansible.builtin.to_json`), as Jinja allows.
    while (peek().kind == token_kind::dot && peek(1).kind == token_kind::word &&
           peek().begin == toks_[pos_ - 1].end) {
      next();
      n->op_text += "." + next().text;
    }
    n->children.push_back(std::move(input));
    if (peek().kind != token_kind::lparen) return n;
    parse_arguments(*n, "filter '" + n->op_text + "'");
    return n;
  }

  // `(a, b, key=c)` after a filter or method name, into n.children[1..] and n.arg_names.
  void parse_arguments(ast_node& n, const std::string& what) {
    const token& open = next();
    const std::string closing = "expected ',' or ')' in the arguments of " + what +
                                " opened at column " + std::to_string(open.column);
    if (peek().kind == token_kind::rparen) {
      next();
      return;
    }
    for (;;) {
      const token& start = peek();
      std::string keyword;
      if (start.kind == token_kind::word && peek(1).kind == token_kind::assign) {
        keyword = start.text;
        next();
        next();
        expect_operand_after(toks_[pos_ - 1]);
      } else if (!n.arg_names.empty() && !n.arg_names.back().empty()) {
        fail("a positional argument cannot follow a keyword argument", start.column);
      }
      n.arg_names.push_back(std::move(keyword));
      n.arg_columns.push_back(start.column);
      n.children.push_back(parse_logical());
      if (peek().kind == token_kind::comma) {
        next();
        if (peek().kind == token_kind::rparen) {  // trailing comma, as Python allows
          next();
          return;
        }
        continue;
      }
      if (peek().kind == token_kind::rparen) {
        next();
        return;
      }
      unexpected_after_operand(closing);
    }
  }

  void expect_operand_after(const token& op) {
    if (peek().kind == token_kind::end)
      fail("expected a value after " + describe(op) + ", found end of condition", peek().column);
  }

  ast_ptr parse_primary() {
    const token& t = peek();
    depth_guard guard(*this, t.column);
    switch (t.kind) {
      case token_kind::integer:
      case token_kind::real: {
        next();
        auto n = make(ast_kind::literal, t.column);
        if (t.kind == token_kind::real) n->literal = t.real_value;
        else if (t.is_unsigned) n->literal = t.uint_value;
        else n->literal = t.int_value;
        return n;
      }
      case token_kind::minus: {
        const token& num = peek(1);
        if (num.kind != token_kind::integer && num.kind != token_kind::real)
          fail("'-' must be followed by a number, found " + describe(num), num.column);
        next();
        next();
        auto n = make(ast_kind::literal, t.column);
        if (num.kind == token_kind::real) n->literal = -num.real_value;
        else if (num.is_unsigned) n->literal = -static_cast<double>(num.uint_value);
        else n->literal = -num.int_value;
        return n;
      }
      case token_kind::string: {
        next();
        auto n = make(ast_kind::literal, t.column);
        n->literal = t.text;
        return n;
      }
      case token_kind::lparen: {
        next();
        if (peek().kind == token_kind::rparen) fail("expected a value inside '( )'", peek().column);
        ast_ptr inner = parse_logical();
        if (peek().kind != token_kind::rparen)
          unexpected_after_operand("expected ')' to close '(' opened at column " +
                                   std::to_string(t.column));
        next();
        return inner;
      }
      case token_kind::lbracket: return parse_list();
      case token_kind::word: return parse_word();
      case token_kind::end: fail("expected a value, found end of condition", t.column);
      default: fail("expected a value, found " + describe(t), t.column);
    }
  }

  ast_ptr parse_list() {
    const token& open = next();
    auto n = make(ast_kind::list, open.column);
    if (peek().kind == token_kind::rbracket) {
      next();
      return n;
    }
    for (;;) {
      n->children.push_back(parse_logical());
      if (peek().kind == token_kind::comma) {
        next();
        continue;
      }
      if (peek().kind == token_kind::rbracket) {
        next();
        return n;
      }
      unexpected_after_operand("expected ',' or ']' in the list opened at column " +
                               std::to_string(open.column));
    }
  }

  ast_ptr parse_word() {
    const token& t = peek();
    const std::string& w = t.text;
    if (w == "true" || w == "True" || w == "false" || w == "False") {
      next();
      auto n = make(ast_kind::literal, t.column);
      n->literal = (w == "true" || w == "True");
      return n;
    }
    const bool none_word = mode_ == parse_mode::template_expression && (w == "none" || w == "None");
    if (w == "null" || none_word) {
      next();
      return make(ast_kind::literal, t.column);  // value() is null
    }
    if (w == "event" || w == "events" || w == "fact" || w == "facts" || w == "vars")
      return parse_path();
    if (w == "and" || w == "or" || w == "is")
      fail("expected a value before '" + w + "'", t.column);
    if (w == "not")
      fail("'not' negates a whole comparison; put it first or use parentheses: (not ...)",
           t.column);
    if (iequals(w, "in") || iequals(w, "contains"))
      fail("expected a value before '" + w + "'", t.column);
    if (mode_ != parse_mode::condition) return parse_path();
    next();
    const token& after = peek();
    if ((after.kind == token_kind::dot || after.kind == token_kind::lbracket) &&
        after.begin == t.end)
      fail("a path must start with event., events., fact., facts. or vars. (found '" + w +
               (after.kind == token_kind::dot ? "." : "[") + "')",
           t.column);
    // ansible-rulebook's plain_string: an unquoted word is a string.
    auto n = make(ast_kind::literal, t.column);
    n->literal = w;
    return n;
  }

  // Path steps written right after `end` without spaces: `.key`, `.0` (templates), `["key"]`,
  // `[index]`. Returns where the last step ends.
  std::size_t parse_steps(field_path& steps, std::size_t end) {
    for (;;) {
      const token& t = peek();
      if (t.begin != end) break;  // a space ends the path, as pyparsing's Combine does
      if (t.kind == token_kind::dot) {
        next();
        const token& key = peek();
        if (mode_ == parse_mode::template_expression && key.kind == token_kind::integer &&
            !key.is_unsigned && key.begin == t.end) {  // Jinja's `a.0`: an index
          next();
          steps.push_back({path_step::kind::index, {}, static_cast<long>(key.int_value)});
          end = key.end;
          continue;
        }
        if (key.kind != token_kind::word || key.begin != t.end)
          fail("expected a field name after '.'", t.column + 1);
        next();
        steps.push_back({path_step::kind::key, key.text, 0});
        end = key.end;
      } else if (t.kind == token_kind::lbracket) {
        next();
        const token& inner = peek();
        if (inner.kind == token_kind::string) {
          next();
          steps.push_back({path_step::kind::key, inner.text, 0});
        } else if (inner.kind == token_kind::integer && !inner.is_unsigned) {
          next();
          steps.push_back({path_step::kind::index, {}, static_cast<long>(inner.int_value)});
        } else if (inner.kind == token_kind::minus && peek(1).kind == token_kind::integer &&
                   !peek(1).is_unsigned) {
          next();
          const token& num = next();
          steps.push_back({path_step::kind::index, {}, -static_cast<long>(num.int_value)});
        } else {
          fail("expected a quoted key or an integer index inside '[ ]', found " + describe(inner),
               inner.column);
        }
        const token& close = peek();
        if (close.kind != token_kind::rbracket)
          fail("expected ']' to close '[' opened at column " + std::to_string(t.column) +
                   ", found " + describe(close),
               close.column);
        next();
        end = close.end;
      } else {
        break;
      }
    }
    return end;
  }

  // prefix ('.' word | '[' (string | [-] integer) ']')*, written without spaces.
  ast_ptr parse_path() {
    const token& head = next();
    auto n = make(ast_kind::path, head.column);
    const std::string& w = head.text;
    n->origin = w == "event"    ? path_origin::event
                : w == "events" ? path_origin::events
                : w == "fact"   ? path_origin::fact
                : w == "facts"  ? path_origin::facts
                : w == "vars"   ? path_origin::vars
                                : path_origin::bare;
    // Templates: every name (event, events, fact, vars, ...) is a top-level name of the context.
    if (mode_ == parse_mode::template_expression) n->origin = path_origin::bare;
    if (n->origin == path_origin::bare) n->steps.push_back({path_step::kind::key, w, 0});
    const std::size_t end = parse_steps(n->steps, head.end);
    n->spelling = std::string(text_between(head.begin, end));
    if (n->origin == path_origin::events || n->origin == path_origin::facts) {
      if (n->steps.empty() && mode_ != parse_mode::condition) return n;  // all bound names
      if (n->steps.empty() || n->steps.front().type != path_step::kind::key)
        fail("expected " + w + ".<name> (a name bound by an earlier condition or '<<')",
             head.column);
      n->bound_name = n->steps.front().key;
      n->steps.erase(n->steps.begin());
    } else if (n->steps.empty() && !(mode_ != parse_mode::condition &&
                                       (n->origin == path_origin::event ||
                                        n->origin == path_origin::fact))) {
      fail("'" + w + "' must be followed by a field, e.g. " + w + ".name", head.column);
    }
    return n;
  }

  std::string_view text_between(std::size_t b, std::size_t e) const {
    return std::string_view(source_).substr(b, e - b);
  }

  void expect(token_kind k, const std::string& what_for) {
    if (peek().kind != k) unexpected_after_operand(what_for);
    next();
  }

  // match/search/regex(pattern [, ignorecase=true] [, multiline=true])
  ast_ptr parse_search(ast_ptr tested) {
    const token& kind = next();
    auto n = make(ast_kind::search, tested->column);
    n->rx_kind = kind.text == "match"    ? regex_kind::match
                 : kind.text == "search" ? regex_kind::search
                                         : regex_kind::regex;
    const token& open = peek();
    if (open.kind != token_kind::lparen)
      fail("expected '(' after '" + kind.text + "', found " + describe(open), open.column);
    next();
    if (peek().kind == token_kind::rparen)
      fail(kind.text + "() needs a pattern", peek().column);
    n->children.push_back(std::move(tested));
    n->children.push_back(parse_binary(1));
    while (peek().kind == token_kind::comma) {
      next();
      const token& name = peek();
      if (name.kind != token_kind::word)
        fail("expected an option name (ignorecase or multiline), found " + describe(name),
             name.column);
      next();
      if (name.text != "ignorecase" && name.text != "multiline")
        fail("unknown " + kind.text + " option '" + name.text +
                 "'; expected ignorecase or multiline",
             name.column);
      if (peek().kind != token_kind::assign)
        fail("expected '=' after '" + name.text + "', found " + describe(peek()), peek().column);
      next();
      const token& v = peek();
      const bool is_true = word_is(v, "true") || word_is(v, "True");
      const bool is_false = word_is(v, "false") || word_is(v, "False");
      if (!is_true && !is_false)
        fail("expected true or false for '" + name.text + "', found " + describe(v), v.column);
      next();
      (name.text == "ignorecase" ? n->ignorecase : n->multiline) = is_true;
    }
    expect(token_kind::rparen, "expected ')' to close '(' opened at column " +
                                   std::to_string(open.column));
    return n;
  }

  // select(op, value) / selectattr(key, op, value)
  ast_ptr parse_select(ast_ptr tested, bool attr) {
    const token& kw = next();
    auto n = make(attr ? ast_kind::selectattr : ast_kind::select, tested->column);
    const token& open = peek();
    if (open.kind != token_kind::lparen)
      fail("expected '(' after '" + kw.text + "', found " + describe(open), open.column);
    next();
    const std::string usage = attr ? "selectattr(key, operator, value)" : "select(operator, value)";
    auto quoted_arg = [&](const char* what) -> const token& {
      const token& t = peek();
      if (t.kind != token_kind::string)
        fail(std::string("expected the ") + what + " of " + usage + " as a quoted string, found " +
                 describe(t),
             t.column);
      next();
      return t;
    };
    auto comma = [&]() {
      if (peek().kind != token_kind::comma)
        fail(usage + " takes " + (attr ? "3" : "2") + " arguments; expected ',', found " +
                 describe(peek()),
             peek().column);
      next();
    };
    if (attr) {
      const token& key = quoted_arg("key");
      if (key.text.empty()) fail("the selectattr key must not be empty", key.column);
      n->attr_key = key.text;
      n->attr_column = key.column;
      comma();
    }
    const token& op = quoted_arg("operator");
    n->op_text = op.text;
    n->op_column = op.column;
    if (attr ? !is_selectattr_operator(op.text) : !is_select_operator(op.text))
      fail(std::string(attr ? "selectattr" : "select") + " operator '" + op.text +
               "' is not supported; expected one of " +
               (attr ? join(selectattr_ops) : join(select_ops)),
           op.column);
    comma();
    n->children.push_back(std::move(tested));
    n->children.push_back(parse_binary(1));
    if (peek().kind == token_kind::comma)
      fail(usage + " takes " + (attr ? "3" : "2") + " arguments", peek().column);
    expect(token_kind::rparen, "expected ')' to close '(' opened at column " +
                                   std::to_string(open.column));
    return n;
  }

 public:
  std::string source_;

 private:
  std::vector<token> toks_;
  std::size_t pos_ = 0;
  std::size_t depth_ = 0;
  parse_mode mode_;
};

}  // namespace

bool is_select_operator(std::string_view op) {
  for (auto o : select_ops)
    if (o == op) return true;
  return false;
}

bool is_selectattr_operator(std::string_view op) {
  for (auto o : selectattr_ops)
    if (o == op) return true;
  return false;
}

parsed_condition parse(std::string_view text, parse_mode mode) {
  parser p(tokenize(text, mode == parse_mode::template_expression), mode);
  p.source_ = std::string(text);
  return p.run();
}

}  // namespace rb::condition
