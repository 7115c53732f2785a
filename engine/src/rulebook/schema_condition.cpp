// The condition of a rule: a string, a boolean, or all/any/not_all (+ timeout). The condition
// text is not compiled here; it is recorded with the file position of its first character so
// that the condition compiler's column can be reported as a file column.
#include "rulebook/schema.h"

namespace rb::rulebook {

namespace {
std::string rtrim(std::string s) {
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.pop_back();
  }
  return s;
}

std::string rule_label(const std::string& rule) {
  return rule.empty() ? "rule" : "rule " + quote(rule);
}

bool read_text(load_context& ctx, const YAML::Node& n, const position& fallback,
               const std::string& rule, condition_text& out) {
  const scalar_location loc = ctx.doc.locate_scalar(n);
  out.text = rtrim(n.Scalar());
  out.text_pos = loc.content_pos;
  const bool block = loc.style == scalar_style::literal || loc.style == scalar_style::folded;
  out.single_line = loc.single_line && !block;
  if (block) {
    // text_pos is the first non-blank character of the block, so the text starts there too.
    const auto first = out.text.find_first_not_of(" \t\r\n");
    out.text.erase(0, first == std::string::npos ? out.text.size() : first);
  }
  if (out.text.find_first_not_of(" \t\r\n") == std::string::npos) {
    ctx.diags.error(n.IsNull() ? fallback : ctx.doc.at(n),
                    rule_label(rule) + ": the condition is empty");
    return false;
  }
  return true;
}

const char* expected_condition =
    "a condition: a string, true/false, or a mapping with one of all, any, not_all";
}  // namespace

condition_spec parse_condition(load_context& ctx, const map_entry& e, const std::string& rule) {
  condition_spec c;
  c.pos = value_pos(ctx, e);
  const YAML::Node& n = e.value;
  if (n.IsScalar()) {
    const std::string d = describe(n);
    if (d == "a boolean") {
      c.type = condition_spec::kind::boolean;
      c.boolean_value = to_value(n, ctx.doc, ctx.diags).get<bool>();
      return c;
    }
    if (d != "a string") {
      ctx.diags.error(c.pos,
                      "condition: expected " + std::string(expected_condition) + ", found " + d);
      return c;
    }
    condition_text t;
    if (read_text(ctx, n, c.pos, rule, t)) c.conditions.push_back(std::move(t));
    return c;
  }
  if (!n.IsMap()) {
    ctx.diags.error(
        c.pos, "condition: expected " + std::string(expected_condition) + ", found " + describe(n));
    return c;
  }
  mapping_reader m(ctx, n, "condition of " + rule_label(rule));
  m.allow_only({"all", "any", "not_all", "timeout"});
  std::vector<const map_entry*> kinds;
  for (auto k : {"all", "any", "not_all"}) {
    if (const auto* x = m.get(k)) kinds.push_back(x);
  }
  if (kinds.empty()) {
    ctx.diags.error(c.pos, "condition: a condition mapping needs one of all, any, not_all");
    return c;
  }
  if (kinds.size() > 1) {
    ctx.diags.error(ctx.doc.at(kinds[1]->key_node),
                    "condition: use only one of all, any, not_all in a condition mapping");
  }
  const map_entry& k = *kinds.front();
  c.type = k.key == "all"   ? condition_spec::kind::all
           : k.key == "any" ? condition_spec::kind::any
                            : condition_spec::kind::not_all;
  if (!k.value.IsSequence()) {
    ctx.diags.error(value_pos(ctx, k),
                    k.key + ": expected a list of condition strings, found " + describe(k.value));
  } else {
    for (const auto& item : k.value) {
      if (!item.IsScalar() || describe(item) != "a string") {
        ctx.diags.error(ctx.doc.at(item), k.key +
                                              ": expected each condition to be a string, "
                                              "found " +
                                              describe(item));
        continue;
      }
      condition_text t;
      if (read_text(ctx, item, ctx.doc.at(item), rule, t)) c.conditions.push_back(std::move(t));
    }
    if (k.value.size() == 0) {
      ctx.diags.error(value_pos(ctx, k), k.key + ": the list of conditions is empty");
    }
  }
  const auto* timeout = m.get("timeout");
  if (timeout) {
    if (c.type == condition_spec::kind::any) {
      // The schema's any-condition has no timeout (any matches on one event; nothing to wait for).
      ctx.diags.error(ctx.doc.at(timeout->key_node),
                      "condition: 'timeout' is allowed with all and not_all, not with any");
    } else {
      c.timeout = read_duration(ctx, *timeout, true);
    }
  } else if (c.type == condition_spec::kind::not_all) {
    ctx.diags.error(c.pos, "condition: not_all requires a 'timeout' (e.g. 'timeout: 10 seconds')");
  }
  return c;
}

}  // namespace rb::rulebook
