#include "rulebook/yaml_hints.h"

#include <vector>

#include "rulebook/diagnostics.h"

namespace rb::rulebook {

namespace {

constexpr auto npos = std::string_view::npos;

enum class kind { list, mapping };

// One `- ` or `key:` on a line.
struct entry {
  int column = 0;
  kind k = kind::list;
  std::string key;  // mapping: the key as written
  int colon = -1;   // mapping: the column of the ':' after the key
};

// What follows the last entry of a line decides how the next lines are read.
enum class tail { empty, plain, block_scalar, open_flow, open_quote, other };

struct parsed_line {
  int indent = -1;  // first column that is not a space or tab; -1 for a blank or comment line
  int tab = -1;     // a tab among the leading blanks
  std::vector<entry> entries;
  tail t = tail::empty;
  int flow_depth = 0;         // open_flow: '[' and '{' not closed on the line
  char quote = 0;             // open_flow, open_quote: the quote still open at the end of the line
  bool explicit_key = false;  // `? key` / `: value`, which this reading does not follow
};

// A list or mapping opened above the error line and not closed by a smaller indentation.
struct block {
  int column = 0;
  kind k = kind::list;
  int line = 0;     // of its first item or key
  std::string key;  // mapping: its first key
};

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string str(int n) { return std::to_string(n); }

// Index just past the quoted scalar starting at s[i], or npos when the line ends inside it.
std::size_t skip_quoted(std::string_view s, std::size_t i) {
  const char q = s[i++];
  while (i < s.size()) {
    if (q == '"' && s[i] == '\\') {
      i += 2;
    } else if (s[i] == q) {
      if (q == '\'' && i + 1 < s.size() && s[i + 1] == '\'') {
        i += 2;
      } else {
        return i + 1;
      }
    } else {
      ++i;
    }
  }
  return npos;
}

// Follows '[' '{' nesting and quotes from s[i] on; stops where the outermost bracket closes.
void scan_flow(std::string_view s, std::size_t i, int& depth, char& quote) {
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (quote != 0) {
      if (quote == '"' && c == '\\') {
        ++i;
      } else if (c == quote) {
        if (quote == '\'' && i + 1 < s.size() && s[i + 1] == '\'') {
          ++i;
        } else {
          quote = 0;
        }
      }
      continue;
    }
    // A quote starts a scalar only at its beginning; "it's" inside a plain word is text.
    const bool at_start = i == 0 || std::string_view(" \t[{,:").find(s[i - 1]) != npos;
    if ((c == '"' || c == '\'') && at_start) {
      quote = c;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      if (--depth <= 0) return;
    } else if (c == '#' && i > 0 && is_blank(s[i - 1])) {
      return;
    }
  }
}

// A `key:` starting at s[i] (plain or quoted); the ':' must be followed by a blank or the end.
bool match_key(std::string_view s, std::size_t i, entry& out) {
  auto colon_at = [&](std::size_t j) {
    return j < s.size() && s[j] == ':' && (j + 1 == s.size() || is_blank(s[j + 1]));
  };
  std::size_t end = npos;
  std::size_t colon = npos;
  if (s[i] == '"' || s[i] == '\'') {
    end = skip_quoted(s, i);
    if (end == npos) return false;
    colon = end;
    while (colon < s.size() && is_blank(s[colon])) ++colon;
    if (!colon_at(colon)) return false;
  } else {
    if (std::string_view("[]{},#&*!|>%@`\"'").find(s[i]) != npos) return false;
    for (std::size_t j = i; j < s.size() && colon == npos; ++j) {
      if (s[j] == '#' && is_blank(s[j - 1])) return false;
      if (colon_at(j)) colon = j;
    }
    if (colon == npos) return false;
    end = colon;
    while (end > i && is_blank(s[end - 1])) --end;
  }
  out = {static_cast<int>(i), kind::mapping, std::string(s.substr(i, end - i)),
         static_cast<int>(colon)};
  return true;
}

parsed_line parse_line(std::string_view s) {
  parsed_line p;
  std::size_t i = 0;
  for (; i < s.size() && is_blank(s[i]); ++i) {
    if (s[i] == '\t' && p.tab < 0) p.tab = static_cast<int>(i);
  }
  if (i == s.size() || s[i] == '#') return p;
  p.indent = static_cast<int>(i);
  if ((s[i] == '?' || s[i] == ':') && (i + 1 == s.size() || is_blank(s[i + 1]))) {
    p.explicit_key = true;
    return p;
  }
  while (true) {
    entry e;
    if (s[i] == '-' && (i + 1 == s.size() || is_blank(s[i + 1]))) {
      e = {static_cast<int>(i), kind::list, "", -1};
      ++i;
    } else if (match_key(s, i, e)) {
      i = static_cast<std::size_t>(e.colon) + 1;
    } else {
      break;
    }
    p.entries.push_back(e);
    while (i < s.size() && is_blank(s[i])) ++i;
    if (i == s.size() || s[i] == '#') return p;
    if (e.k == kind::mapping) break;  // only a value follows a key on its line
  }
  // An anchor or a tag before the value.
  while (i < s.size() && (s[i] == '&' || s[i] == '!')) {
    while (i < s.size() && !is_blank(s[i])) ++i;
    while (i < s.size() && is_blank(s[i])) ++i;
  }
  if (i == s.size() || s[i] == '#') return p;
  const char c = s[i];
  if (c == '|' || c == '>') {
    p.t = tail::block_scalar;
  } else if (c == '[' || c == '{') {
    scan_flow(s, i, p.flow_depth, p.quote);
    p.t = p.flow_depth > 0 ? tail::open_flow : tail::other;
  } else if (c == '"' || c == '\'') {
    p.quote = c;
    p.t = skip_quoted(s, i) == npos ? tail::open_quote : tail::other;
  } else if (c == '*') {
    p.t = tail::other;
  } else {
    p.t = tail::plain;
  }
  return p;
}

// `-name: x` reads as the key '-name'; a list item was meant.
bool is_dash_key(const std::string& key) {
  return key.size() > 1 && key[0] == '-' && !is_blank(key[1]) && key[1] != '-';
}

yaml_hint missing_space_after_dash(int line, int column, const std::string& key) {
  return {line, column,
          quote(key) + " is not a list item: a '-' starts a list item only when a space follows " +
              "it (write " + quote("- " + key.substr(1)) + ")"};
}

std::string starts(const block& b) {
  return (b.k == kind::list ? "the list starts at line " : "the mapping starts at line ") +
         str(b.line + 1) + " with its " + (b.k == kind::list ? "items" : "keys") + " at column " +
         str(b.column + 1);
}

class explainer {
 public:
  explicit explainer(std::string_view text) {
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == npos) end = text.size();
      std::string_view l = text.substr(start, end - start);
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      lines_.push_back(l);
      start = end + 1;
    }
    // A byte order mark is not indentation.
    if (!lines_.empty() && lines_[0].substr(0, 3) == "\xEF\xBB\xBF") lines_[0].remove_prefix(3);
  }

  std::optional<yaml_hint> explain(int line, int column) {
    if (line < 0 || static_cast<std::size_t>(line) >= lines_.size()) return std::nullopt;
    for (int ln = 0; ln < line; ++ln) read(ln);
    const std::string_view s = lines_[static_cast<std::size_t>(line)];
    const parsed_line p = parse_line(s);
    // Inside a flow collection or a quoted string, indentation is not the issue.
    if (mode_ == mode::flow || mode_ == mode::quoted || gave_up_) return std::nullopt;
    if (p.indent < 0 || p.explicit_key) return std::nullopt;
    if (p.tab >= 0) {
      return yaml_hint{line, p.tab,
                       "a tab is used to indent this line; YAML indents with spaces only"};
    }
    if (mode_ == mode::block_scalar && p.indent > owner_) return std::nullopt;
    if (p.entries.empty()) return std::nullopt;
    const entry& e = p.entries.front();
    if (mode_ == mode::plain && p.indent > owner_) return continued(line, e);
    if (e.k == kind::mapping && is_dash_key(e.key)) {
      return missing_space_after_dash(line, e.column, e.key);
    }
    const entry& last = p.entries.back();
    if (last.k == kind::mapping && column > last.colon &&
        static_cast<std::size_t>(column) < s.size() && s[static_cast<std::size_t>(column)] == ':') {
      return yaml_hint{line, column,
                       "the value of " + quote(last.key) +
                           " contains ': ', which YAML reads as the start of another key; put " +
                           "the whole value in quotes"};
    }
    if (column != e.column) return std::nullopt;
    return misaligned(line, e);
  }

 private:
  enum class mode { normal, block_scalar, flow, quoted, plain };

  // Advances the open blocks and the reading mode over one line above the error.
  void read(int ln) {
    const std::string_view s = lines_[static_cast<std::size_t>(ln)];
    if (mode_ == mode::flow || mode_ == mode::quoted) {
      scan_flow(s, 0, flow_depth_, quote_);
      if (mode_ == mode::flow ? flow_depth_ <= 0 : quote_ == 0) mode_ = mode::normal;
      return;
    }
    const parsed_line p = parse_line(s);
    if (p.indent < 0) return;
    if ((mode_ == mode::block_scalar || mode_ == mode::plain) && p.indent > owner_) return;
    mode_ = mode::normal;
    gave_up_ = gave_up_ || p.explicit_key;
    if ((s.substr(0, 3) == "---" || s.substr(0, 3) == "...") && (s.size() == 3 || is_blank(s[3]))) {
      stack_.clear();
      return;
    }
    if (s[0] == '%') return;
    open(ln, p);
    int owner = p.entries.empty() ? p.indent - 1 : p.entries.back().column;
    if (p.entries.empty() && !stack_.empty() && stack_.back().column < p.indent) {
      owner = stack_.back().column;
    }
    switch (p.t) {
      case tail::block_scalar:
        mode_ = mode::block_scalar;
        owner_ = owner;
        break;
      case tail::plain:
        mode_ = mode::plain;
        owner_ = owner;
        value_line_ = ln;
        value_parsed_ = p;
        break;
      case tail::open_flow:
        mode_ = mode::flow;
        flow_depth_ = p.flow_depth;
        quote_ = p.quote;
        break;
      case tail::open_quote:
        mode_ = mode::quoted;
        quote_ = p.quote;
        break;
      default:
        break;
    }
  }

  void open(int ln, const parsed_line& p) {
    if (p.entries.empty()) return;
    const entry& first = p.entries.front();
    while (!stack_.empty() && stack_.back().column > first.column) stack_.pop_back();
    bool sibling = false;
    if (!stack_.empty() && stack_.back().column == first.column) {
      // A key at the column of a list written flush with its key (`rules:\n- a`) ends that list.
      if (stack_.back().k == kind::list && first.k == kind::mapping) stack_.pop_back();
      sibling =
          !stack_.empty() && stack_.back().column == first.column && stack_.back().k == first.k;
    }
    for (std::size_t i = sibling ? 1 : 0; i < p.entries.size(); ++i) {
      const entry& e = p.entries[i];
      stack_.push_back({e.column, e.k, ln, e.key});
    }
  }

  // The error line is indented more than the line whose plain value precedes it, so YAML reads
  // it as more of that value, and a value cannot go on with `key:`.
  std::optional<yaml_hint> continued(int line, const entry& e) {
    if (e.k != kind::mapping) return std::nullopt;
    const std::string_view prev = lines_[static_cast<std::size_t>(value_line_)];
    const parsed_line& pp = value_parsed_;
    if (pp.entries.empty()) {
      // A line that is neither `- ` nor `key: value`: most often a ':' without its space.
      const std::size_t from = static_cast<std::size_t>(pp.indent);
      for (std::size_t j = from; j + 1 < prev.size(); ++j) {
        if (prev[j] == ':' && !is_blank(prev[j + 1]) && prev[j + 1] != '/') {  // not a URL
          std::string text(prev.substr(from));
          while (!text.empty() && is_blank(text.back())) text.pop_back();
          const std::string fixed =
              std::string(prev.substr(from, j + 1 - from)) + " " + text.substr(j + 1 - from);
          return yaml_hint{value_line_, static_cast<int>(j),
                           quote(text) + " is not a key and a value: a ':' after a key needs a " +
                               "space after it (write " + quote(fixed) + ")"};
        }
      }
      return yaml_hint{value_line_, pp.indent,
                       "this line is neither a list item nor a 'key: value' pair, so YAML reads "
                       "it and line " +
                           str(line + 1) + " as one text"};
    }
    const entry& owner = pp.entries.back();
    if (owner.k == kind::list) {
      return yaml_hint{line, e.column,
                       "this key is indented more than the list item on line " +
                           str(value_line_ + 1) + " (column " + str(owner.column + 1) +
                           "), so YAML reads it as more of that item's value"};
    }
    for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
      if (it->k != kind::mapping || it->column != owner.column) continue;
      if (is_dash_key(it->key)) return missing_space_after_dash(it->line, it->column, it->key);
      return yaml_hint{line, e.column,
                       "this key is indented more than the other keys of its mapping: " +
                           starts(*it) + ", this key is at column " + str(e.column + 1) +
                           ", so YAML reads it as more of the value of " + quote(owner.key) +
                           " on line " + str(value_line_ + 1)};
    }
    return std::nullopt;
  }

  // The error line's first `- ` or `key:` lines up with no open list or mapping of its kind.
  std::optional<yaml_hint> misaligned(int line, const entry& e) {
    const block* inner = nullptr;  // the nearest block of the same kind indented more
    const block* outer = nullptr;  // ... and indented less
    const block* other = nullptr;  // a block of the other kind at exactly this column
    for (const block& b : stack_) {
      if (b.column == e.column && b.k == e.k) return std::nullopt;  // it does line up
      if (b.column == e.column) other = &b;
      if (b.k != e.k) continue;
      if (b.column < e.column) outer = &b;
      if (b.column > e.column && inner == nullptr) inner = &b;
    }
    // The closer one is the likelier intent; on a tie, the list or mapping being written.
    const block* near = inner;
    if (outer != nullptr &&
        (inner == nullptr || e.column - outer->column < inner->column - e.column)) {
      near = outer;
    }
    const std::string at = str(e.column + 1);
    if (e.k == kind::list && other != nullptr) {
      if (is_dash_key(other->key)) {
        return missing_space_after_dash(other->line, other->column, other->key);
      }
      std::string msg =
          "this list item lines up with the keys of the mapping that starts at line " +
          str(other->line + 1) + " (column " + at + "), not with the items of a list";
      if (near != nullptr) {
        msg += ": " + starts(*near);
      } else {
        msg += "; a list inside a mapping must be indented under a key that has no value";
      }
      return yaml_hint{line, e.column, msg};
    }
    if (near == nullptr) return std::nullopt;
    if (near->k == kind::mapping && is_dash_key(near->key)) {
      return missing_space_after_dash(near->line, near->column, near->key);
    }
    const bool less = near == inner;
    std::string msg;
    if (e.k == kind::list) {
      msg = less ? "this list item is indented less than the list it belongs to: "
                 : "this list item is indented more than the other items of its list: ";
      msg += starts(*near) + ", this item is at column " + at;
    } else {
      msg = less ? "this key is indented less than the other keys of its mapping: "
                 : "this key is indented more than the other keys of its mapping: ";
      msg += starts(*near) + ", this key is at column " + at;
    }
    return yaml_hint{line, e.column, msg};
  }

  std::vector<std::string_view> lines_;
  std::vector<block> stack_;
  mode mode_ = mode::normal;
  int owner_ = -1;  // block_scalar, plain: lines indented more than this continue the value
  int flow_depth_ = 0;
  char quote_ = 0;
  int value_line_ = -1;  // plain: the line the value started on
  parsed_line value_parsed_;
  bool gave_up_ = false;
};

}  // namespace

std::optional<yaml_hint> explain_yaml_error(std::string_view text, int line, int column) {
  return explainer(text).explain(line, column);
}

}  // namespace rb::rulebook
