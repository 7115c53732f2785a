// The top level (a non-empty list of rulesets) and the ruleset object.
#include <map>

#include "rulebook/schema.h"

namespace rb::rulebook {

namespace {
const std::vector<std::string_view> ruleset_keys = {"name",
                                                    "hosts",
                                                    "sources",
                                                    "rules",
                                                    "gather_facts",
                                                    "default_events_ttl",
                                                    "execution_strategy",
                                                    "match_multiple_rules"};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> read_hosts(load_context& ctx, const map_entry& e) {
  if (e.value.IsSequence()) {
    // ansible-rulebook's parser takes a list but its schema rejects one; accept it, portably warn.
    ctx.diags.warning(value_pos(ctx, e),
                      "hosts: a list is accepted here but ansible-rulebook's schema allows only "
                      "a string (e.g. 'all' or 'host1,host2')");
    if (auto l = read_string_list(ctx, e)) return *l;
    return {};
  }
  if (auto s = read_string(ctx, e)) return {*s};
  return {};
}
}  // namespace

std::vector<ruleset_spec> parse_rulebook(load_context& ctx, const YAML::Node& root) {
  std::vector<ruleset_spec> out;
  if (root.IsNull()) {
    ctx.diags.error(ctx.doc.file_start(), "the rulebook is empty: expected a list of rulesets");
    return out;
  }
  if (!root.IsSequence()) {
    std::string msg = "expected the rulebook to be a list of rulesets, found " + describe(root);
    if (root.IsMap()) msg += " (start each ruleset with '- ', e.g. '- name: My ruleset')";
    ctx.diags.error(ctx.doc.at(root), msg);
    return out;
  }
  if (root.size() == 0) {
    ctx.diags.error(ctx.doc.at(root), "the rulebook has no rulesets: expected at least one");
    return out;
  }
  std::map<std::string, position> names;
  for (const auto& item : root) {
    ruleset_spec rs = parse_ruleset(ctx, item);
    if (!rs.name.empty()) {
      auto [it, fresh] = names.emplace(rs.name, rs.pos);
      if (!fresh) {
        ctx.diags.error(rs.pos, "duplicate ruleset name " + quote(rs.name) +
                                    " (first defined at line " + std::to_string(it->second.line) +
                                    "); ruleset names must be unique in a rulebook");
      }
    }
    out.push_back(std::move(rs));
  }
  return out;
}

ruleset_spec parse_ruleset(load_context& ctx, const YAML::Node& node) {
  ruleset_spec rs;
  rs.pos = ctx.doc.at(node);
  if (!node.IsMap()) {
    ctx.diags.error(rs.pos,
                    "expected a ruleset (a mapping with name, hosts, sources and rules), "
                    "found " +
                        describe(node));
    return rs;
  }
  // Name first, so every later message can say which ruleset it is about.
  if (auto n = node["name"]; n && n.IsScalar()) rs.name = trim(n.Scalar());
  mapping_reader m(ctx, node, rs.name.empty() ? "ruleset" : "ruleset " + quote(rs.name));
  m.allow_only(ruleset_keys);
  for (auto key : {"name", "hosts", "sources", "rules"}) m.require(key);

  if (const auto* e = m.get("name")) {
    rs.name.clear();
    if (auto s = read_string(ctx, *e)) {
      rs.name = trim(*s);
      if (rs.name.empty())
        ctx.diags.error(value_pos(ctx, *e), "name: a ruleset name cannot be empty");
    }
  }
  if (const auto* e = m.get("hosts")) rs.hosts = read_hosts(ctx, *e);
  if (const auto* e = m.get("gather_facts")) {
    if (auto b = read_bool(ctx, *e)) {
      rs.gather_facts = *b;
      // ansible-rulebook runs Ansible's fact gathering on the hosts; there is no Ansible here.
      if (*b)
        ctx.diags.warning(value_pos(ctx, *e),
                          "gather_facts: true is not supported yet and is ignored (no host facts "
                          "are gathered)");
    }
  }
  if (const auto* e = m.get("match_multiple_rules")) {
    if (auto b = read_bool(ctx, *e)) rs.match_multiple_rules = *b;
  }
  if (const auto* e = m.get("default_events_ttl")) {
    if (auto d = read_duration(ctx, *e, false)) rs.default_events_ttl = *d;
  }
  if (const auto* e = m.get("execution_strategy")) {
    if (auto s = read_string(ctx, *e)) {
      if (*s == "sequential") {
        rs.execution_strategy = ruleset_spec::strategy::sequential;
      } else if (*s == "parallel") {
        rs.execution_strategy = ruleset_spec::strategy::parallel;
      } else {
        ctx.diags.error(value_pos(ctx, *e), "execution_strategy: unknown value " + quote(*s) +
                                                "; expected 'sequential' or 'parallel'");
      }
    }
  }
  if (const auto* e = m.get("sources")) {
    if (!e->value.IsSequence()) {
      ctx.diags.error(value_pos(ctx, *e),
                      "sources: expected a list of sources, found " + describe(e->value));
    } else {
      for (const auto& s : e->value) rs.sources.push_back(parse_source(ctx, s));
      if (rs.sources.empty()) {
        ctx.diags.warning(value_pos(ctx, *e), "ruleset " + quote(rs.name) +
                                                  " has no sources: it will receive no events");
      }
    }
  }
  if (const auto* e = m.get("rules")) {
    if (!e->value.IsSequence()) {
      ctx.diags.error(value_pos(ctx, *e),
                      "rules: expected a list of rules, found " + describe(e->value));
    } else {
      std::map<std::string, position> names;
      for (const auto& r : e->value) {
        rule_spec rule = parse_rule(ctx, r, rs.name);
        if (!rule.name.empty()) {
          auto [it, fresh] = names.emplace(rule.name, rule.pos);
          if (!fresh) {
            ctx.diags.error(rule.pos, "duplicate rule name " + quote(rule.name) + " in ruleset " +
                                          quote(rs.name) + " (first defined at line " +
                                          std::to_string(it->second.line) + ")");
          }
        }
        rs.rules.push_back(std::move(rule));
      }
      if (rs.rules.empty()) {
        ctx.diags.warning(value_pos(ctx, *e), "ruleset " + quote(rs.name) + " has no rules");
      }
    }
  }
  return rs;
}

}  // namespace rb::rulebook
