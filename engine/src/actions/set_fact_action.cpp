// `set_fact`: asserts `fact` in a ruleset (`ruleset`, default: the rule's own); the engine adds
// meta.source {name: set_fact, type: internal}. The fact is also merged into the firing's `fact`
// so the rule's later actions can render `{{ fact.x }}` (ansible-rulebook cannot).
#include "actions/builtin_actions.h"

namespace rb::actions {

namespace {

class set_fact_action final : public action {
 public:
  std::string_view audit_name() const noexcept override { return "set_fact"; }

  action_result run(const firing& f, const value& args, services& svc) noexcept override {
    try {
      const std::string ruleset = target_ruleset("set_fact", f, args);
      auto it = args.find("fact");
      if (it == args.end() || !it->is_object())
        return {false, "set_fact: 'fact' must be a mapping after rendering", nullptr};
      if (!svc.set_fact) return {false, "set_fact: not available", nullptr};
      if (f.facts_set) {
        for (auto kv = it->begin(); kv != it->end(); ++kv) (*f.facts_set)[kv.key()] = kv.value();
      }
      std::string err = svc.set_fact(ruleset, value(*it));
      if (!err.empty()) return {false, "set_fact: " + err, nullptr};
      return {};
    } catch (const std::exception& e) {
      return {false, std::string("set_fact: ") + e.what(), nullptr};
    }
  }
};

}  // namespace

std::unique_ptr<action> make_set_fact(const value& args) {
  expect_only("set_fact", args, {"fact", "ruleset"});
  if (!args.contains("fact")) throw action_error("set_fact: missing required argument 'fact'");
  if (!args["fact"].is_object()) throw action_error("set_fact: argument 'fact' must be a mapping");
  if (args.contains("ruleset") && !args["ruleset"].is_string())
    throw action_error("set_fact: argument 'ruleset' must be a string");
  return std::make_unique<set_fact_action>();
}

}  // namespace rb::actions
