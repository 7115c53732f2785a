#include "match/rule_index.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>

namespace rb::match {
namespace {

bool ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9'); }
bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Words the condition language gives a meaning after `event.`-less positions; a path step with
// one of these names is still a key, but refusing them keeps the pattern obviously unambiguous.
bool reserved(std::string_view w) {
  static constexpr std::string_view words[] = {"and",  "or",    "not",  "in",   "is",
                                               "true", "false", "null", "None", "contains"};
  return std::find(std::begin(words), std::end(words), w) != std::end(words);
}

// An int64 key equal (by the condition language's `==`) to `v`, if there is one.
std::optional<std::int64_t> int_key(const value& v) noexcept {
  using vt = value::value_t;
  switch (v.type()) {
    case vt::number_integer:
      return v.get<std::int64_t>();
    case vt::number_unsigned: {
      const auto u = v.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return {};
      return static_cast<std::int64_t>(u);
    }
    case vt::number_float: {
      const double d = v.get<double>();
      // 3 == 3.0 holds, so an integral float finds the integer literal.
      if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) > 9.0e15) return {};
      return static_cast<std::int64_t>(d);
    }
    default:
      return {};
  }
}

}  // namespace

std::optional<equality_test> indexable_equality(const condition::program& program) {
  if (program.assigned_name()) return {};
  const std::string_view t = program.text();
  std::size_t i = 0;
  auto skip = [&] {
    while (i < t.size() && space(t[i])) ++i;
  };
  skip();
  if (t.substr(i, 6) != "event.") return {};
  i += 6;
  equality_test out;
  for (;;) {
    if (i >= t.size() || !ident_start(t[i])) return {};
    const std::size_t start = i;
    while (i < t.size() && ident_char(t[i])) ++i;
    const std::string_view word = t.substr(start, i - start);
    if (reserved(word)) return {};
    out.path.push_back({path_step::kind::key, std::string(word), 0});
    if (!out.path_text.empty()) out.path_text += '.';
    out.path_text += word;
    if (i < t.size() && t[i] == '.') {
      ++i;
      continue;
    }
    break;
  }
  skip();
  if (t.substr(i, 2) != "==") return {};
  i += 2;
  skip();
  if (i >= t.size()) return {};
  if (t[i] == '"' || t[i] == '\'') {
    const char q = t[i++];
    const std::size_t start = i;
    while (i < t.size() && t[i] != q) {
      if (t[i] == '\\') return {};  // escapes: leave them to the real parser
      ++i;
    }
    if (i >= t.size()) return {};
    out.literal = std::string(t.substr(start, i - start));
    ++i;
  } else {
    const std::size_t start = i;
    if (t[i] == '-') ++i;
    const std::size_t digits = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    const std::size_t n = i - digits;
    if (n == 0 || n > 18) return {};
    if (n > 1 && t[digits] == '0') return {};
    if (i < t.size() && (ident_char(t[i]) || t[i] == '.')) return {};
    out.literal = std::stoll(std::string(t.substr(start, i - start)));
  }
  skip();
  if (i != t.size()) return {};
  return out;
}

rule_index::rule_index(const std::vector<rule>& rules) {
  for (std::uint32_t r = 0; r < rules.size(); ++r) {
    const rule& rl = rules[r];
    if (!rl.enabled) continue;
    if (rl.kind == rule_kind::constant && !rl.constant) continue;  // never fires
    std::optional<equality_test> eq;
    if (rl.kind == rule_kind::single && rl.conditions.size() == 1)
      eq = indexable_equality(rl.conditions[0]);
    if (!eq) {
      always_.push_back(r);
      continue;
    }
    auto g = std::find_if(groups_.begin(), groups_.end(), [&](const path_group& pg) {
      return pg.path.size() == eq->path.size() &&
             std::equal(pg.path.begin(), pg.path.end(), eq->path.begin(),
                        [](const path_step& a, const path_step& b) { return a.key == b.key; });
    });
    if (g == groups_.end()) {
      groups_.push_back(path_group{eq->path, {}, {}});
      g = std::prev(groups_.end());
    }
    if (eq->literal.is_string())
      g->strings[eq->literal.get<std::string>()].push_back(r);
    else
      g->ints[eq->literal.get<std::int64_t>()].push_back(r);
    ++indexed_;
  }
}

const std::vector<std::uint32_t>* rule_index::lookup(const path_group& g,
                                                     const value& subject) const noexcept {
  const value* v = resolve(subject, g.path);
  if (!v) return nullptr;
  if (v->is_string()) {
    if (g.strings.empty()) return nullptr;
    auto it = g.strings.find(v->get_ref<const std::string&>());
    return it == g.strings.end() ? nullptr : &it->second;
  }
  if (g.ints.empty()) return nullptr;
  const auto k = int_key(*v);
  if (!k) return nullptr;
  auto it = g.ints.find(*k);
  return it == g.ints.end() ? nullptr : &it->second;
}

std::span<const std::uint32_t> rule_index::candidates(
    const value& subject, std::vector<std::uint32_t>& scratch) const noexcept {
  if (groups_.empty()) return always_;
  const std::vector<std::uint32_t>* only = nullptr;
  std::size_t hits = 0;
  for (const auto& g : groups_) {
    const auto* list = lookup(g, subject);
    if (!list) continue;
    if (hits++ == 0 && always_.empty()) {
      only = list;
      continue;
    }
    if (hits == 2 && always_.empty()) scratch.assign(only->begin(), only->end());
    if (hits == 1) scratch.assign(always_.begin(), always_.end());
    scratch.insert(scratch.end(), list->begin(), list->end());
  }
  if (hits == 0) return always_;
  if (hits == 1 && always_.empty()) return *only;
  // Each rule is filed once, so the merge has no duplicates; the lists are short.
  std::sort(scratch.begin(), scratch.end());
  return scratch;
}

}  // namespace rb::match
