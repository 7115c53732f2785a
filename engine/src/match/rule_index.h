// rule_index: which rules an event could fire, so that 1,000 rules `event.id == <k>` cost one
// hash lookup instead of 1,000 evaluations. Rules whose whole condition is `event.<path> ==
// <int|string literal>` are filed under (path, literal); every other enabled rule is always a
// candidate. candidates() returns rule indexes ascending, so file order between indexed and
// unindexed rules is kept.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "condition/condition.h"
#include "core/field_path.h"
#include "match/rule.h"

namespace rb::match {

// `event.<path> == <literal>` and nothing else.
struct equality_test {
  field_path path;
  std::string path_text;  // `a.b`
  value literal;          // an integer or a string
};

// Adapter over the condition module. Today it reads program::text() conservatively (only
// `event.<ident>(.<ident>)* == <int|"string"|'string'>`, no escapes); once condition.h offers
// the query on the compiled program, only this function changes.
std::optional<equality_test> indexable_equality(const condition::program& program);

class rule_index {
 public:
  // Files every enabled rule: single rules with an indexable condition by (path, literal), the
  // rest as always-candidates. Disabled rules are never candidates.
  explicit rule_index(const std::vector<rule>& rules);

  // Ascending rule indexes that may match `subject`. The span lives until the next call (it may
  // point into `scratch`, which keeps its capacity).
  std::span<const std::uint32_t> candidates(const value& subject,
                                            std::vector<std::uint32_t>& scratch) const noexcept;

  std::size_t indexed_rules() const noexcept { return indexed_; }

 private:
  struct path_group {
    field_path path;
    std::unordered_map<std::int64_t, std::vector<std::uint32_t>> ints;
    std::unordered_map<std::string, std::vector<std::uint32_t>> strings;
  };
  const std::vector<std::uint32_t>* lookup(const path_group& g,
                                           const value& subject) const noexcept;

  std::vector<path_group> groups_;
  std::vector<std::uint32_t> always_;
  std::size_t indexed_ = 0;
};

}  // namespace rb::match
