#include "app/condition_compiler.h"

#include <algorithm>

#include "core/excerpt.h"

namespace rb::app {

namespace {

// The names `events.<name>` may read in this rule: in an `all` or `not_all`, each condition's
// `m_<i>` or `<<` name; a single condition or an `any` tests one event alone and binds none.
std::vector<std::string> names_bound_by(const rulebook::condition_spec& cond) {
  using ck = rulebook::condition_spec::kind;
  std::vector<std::string> names;
  if (cond.type != ck::all && cond.type != ck::not_all) return names;
  for (std::size_t i = 0; i < cond.conditions.size(); ++i) {
    auto assigned = condition::assigned_name_of(cond.conditions[i].text);
    names.push_back(assigned ? std::move(*assigned) : "m_" + std::to_string(i));
  }
  return names;
}

}  // namespace

std::variant<condition::program, std::string> compile_rule_condition(
    const rulebook::rule_spec& rule, const rulebook::condition_text& text, const value& vars) {
  const std::vector<std::string> bound = names_bound_by(rule.condition);
  condition::compile_options opts;
  opts.vars = &vars;
  opts.bound_names = &bound;
  auto compiled = condition::compile(text.text, opts);
  if (auto* prog = std::get_if<condition::program>(&compiled)) return std::move(*prog);

  const auto& err = std::get<condition::error>(compiled);
  rulebook::position at = text.text_pos;
  std::string where;
  if (text.single_line) {
    at.column += static_cast<int>(err.column) - 1;
    where = rulebook::to_string(at);
  } else {
    where = rulebook::to_string(at) + " (column " + std::to_string(err.column) +
            " of the condition)";
  }
  // Quote the line of the condition that holds the column, or a window of it when it is long.
  const std::string_view all = text.text;
  const std::size_t offset = std::min<std::size_t>(err.column > 0 ? err.column - 1 : 0, all.size());
  const std::size_t newline_before =
      offset == 0 ? std::string_view::npos : all.rfind('\n', offset - 1);
  const std::size_t line_start = newline_before == std::string_view::npos ? 0 : newline_before + 1;
  const std::size_t line_end = std::min(all.find('\n', offset), all.size());
  const excerpt ex =
      excerpt_at(all.substr(line_start, line_end - line_start), offset - line_start + 1);
  return where + ": rule '" + rule.name + "': invalid condition: " + err.message + "\n    " +
         ex.text + "\n    " + ex.caret;
}

}  // namespace rb::app
