#include "match/ruleset_matcher.h"

namespace rb::match {

ruleset_matcher::ruleset_matcher(std::vector<rule> rules, bool match_multiple_rules)
    : rules_(std::move(rules)), match_multiple_rules_(match_multiple_rules) {}

void ruleset_matcher::on_event(const value& event, std::vector<std::size_t>& fired) const noexcept {
  const condition::scope s{&event, {}, nullptr};
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const rule& r = rules_[i];
    if (!r.enabled) continue;
    const bool hit = r.program ? r.program->matches(s) : r.constant;
    if (!hit) continue;
    fired.push_back(i);
    if (!match_multiple_rules_) return;
  }
}

}  // namespace rb::match
