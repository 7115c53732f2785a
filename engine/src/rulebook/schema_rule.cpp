// The rule object: name, condition, action/actions, enabled, throttle.
#include "rulebook/schema.h"
#include "rulebook/templating.h"

namespace rb::rulebook {

namespace {
const std::vector<std::string_view> rule_keys = {"name",    "condition", "action",
                                                 "actions", "enabled",   "throttle"};

bool has_non_space(const std::string& s) {
  return s.find_first_not_of(" \t\r\n\f\v") != std::string::npos;
}

// Rule names may use {{ var }} (ansible-rulebook renders them with the vars at load time).
std::string read_rule_name(load_context& ctx, const map_entry& e) {
  auto s = read_string(ctx, e);
  if (!s) return "";
  if (!has_non_space(*s)) {
    ctx.diags.error(value_pos(ctx, e), "name: a rule name cannot be empty");
    return "";
  }
  if (!needs_rendering(*s)) return *s;
  value v = to_value(e.value, ctx.doc, ctx.diags, {&ctx.vars, "rule name"});
  if (v.is_string()) return v.get<std::string>();
  return python_str(v);
}
}  // namespace

rule_spec parse_rule(load_context& ctx, const YAML::Node& node, const std::string& ruleset) {
  rule_spec rule;
  rule.pos = ctx.doc.at(node);
  if (!node.IsMap()) {
    ctx.diags.error(rule.pos,
                    "expected a rule (a mapping with name, condition and action), "
                    "found " +
                        describe(node));
    return rule;
  }
  std::string label = "rule";
  if (auto n = node["name"]; n && n.IsScalar() && describe(n) == "a string") {
    label = "rule " + quote(n.Scalar());
  }
  mapping_reader m(ctx, node, label + " of ruleset " + quote(ruleset));
  m.allow_only(rule_keys);
  m.require("name");
  m.require("condition");
  if (const auto* e = m.get("name")) rule.name = read_rule_name(ctx, *e);
  if (!rule.name.empty()) label = "rule " + quote(rule.name);

  if (const auto* e = m.get("condition")) rule.condition = parse_condition(ctx, *e, rule.name);

  const auto* action = m.get("action");
  const auto* actions = m.get("actions");
  if (action && actions) {
    ctx.diags.error(ctx.doc.at(actions->key_node),
                    label + " has both 'action' and 'actions'; use exactly one of them");
  } else if (!action && !actions) {
    ctx.diags.error(rule.pos, label +
                                  " has no action: add 'action:' (one action) or 'actions:' "
                                  "(a list of actions)");
  }
  if (action) {
    if (auto a = parse_action(ctx, action->value)) rule.actions.push_back(std::move(*a));
  }
  if (actions) {
    if (!actions->value.IsSequence()) {
      std::string msg = "actions: expected a list of actions, found " + describe(actions->value);
      if (actions->value.IsMap()) msg += " (use 'action:' for a single action, or '- ' items)";
      ctx.diags.error(value_pos(ctx, *actions), msg);
    } else {
      for (const auto& a : actions->value) {
        if (auto parsed = parse_action(ctx, a)) rule.actions.push_back(std::move(*parsed));
      }
      if (actions->value.size() == 0) {
        ctx.diags.error(value_pos(ctx, *actions),
                        "actions: the list is empty; "
                        "add at least one action");
      }
    }
  }

  if (const auto* e = m.get("enabled")) {
    if (auto b = read_bool(ctx, *e)) rule.enabled = *b;
    if (!rule.enabled) ctx.diags.warning(rule.pos, label + " is disabled (enabled: false)");
  }
  if (const auto* e = m.get("throttle")) {
    rule.throttle = parse_throttle(ctx, *e);
    const auto t = rule.condition.type;
    if (rule.throttle && (t == condition_spec::kind::all || t == condition_spec::kind::any ||
                          t == condition_spec::kind::not_all)) {
      ctx.diags.warning(value_pos(ctx, *e), label +
                                                ": ansible-rulebook documents throttle for "
                                                "single conditions only");
    }
  }
  return rule;
}

}  // namespace rb::rulebook
