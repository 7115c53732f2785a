// `retract_fact`: removes the facts `fact` describes from a ruleset (`ruleset`, default: the
// rule's own). `partial` (default true): every fact holding the given keys with equal values;
// false: only facts equal to `fact`. `meta` is ignored either way.
#include "actions/builtin_actions.h"

namespace rb::actions {

namespace {

class retract_fact_action final : public action {
 public:
  std::string_view audit_name() const noexcept override { return "retract_fact"; }

  action_result run(const firing& f, const value& args, services& svc) noexcept override {
    try {
      const std::string ruleset = target_ruleset("retract_fact", f, args);
      auto it = args.find("fact");
      if (it == args.end() || !it->is_object())
        return {false, "retract_fact: 'fact' must be a mapping after rendering", nullptr};
      bool partial = true;
      if (auto p = args.find("partial"); p != args.end()) {
        if (!p->is_boolean())
          return {false, "retract_fact: 'partial' must be true or false", nullptr};
        partial = p->get<bool>();
      }
      if (!svc.retract_fact) return {false, "retract_fact: not available", nullptr};
      std::string err = svc.retract_fact(ruleset, *it, partial);
      if (!err.empty()) return {false, "retract_fact: " + err, nullptr};
      return {};
    } catch (const std::exception& e) {
      return {false, std::string("retract_fact: ") + e.what(), nullptr};
    }
  }
};

}  // namespace

std::unique_ptr<action> make_retract_fact(const value& args) {
  expect_only("retract_fact", args, {"fact", "ruleset", "partial"});
  if (!args.contains("fact")) throw action_error("retract_fact: missing required argument 'fact'");
  if (!args["fact"].is_object())
    throw action_error("retract_fact: argument 'fact' must be a mapping");
  if (args.contains("ruleset") && !args["ruleset"].is_string())
    throw action_error("retract_fact: argument 'ruleset' must be a string");
  if (args.contains("partial") && !args["partial"].is_boolean())
    throw action_error("retract_fact: argument 'partial' must be true or false");
  return std::make_unique<retract_fact_action>();
}

}  // namespace rb::actions
