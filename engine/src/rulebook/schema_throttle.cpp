// The throttle object: exactly one of once_within / once_after / accumulate_within (the last with
// threshold), and group_by_attributes always.
#include "rulebook/schema.h"

namespace rb::rulebook {

std::optional<throttle_spec> parse_throttle(load_context& ctx, const map_entry& e) {
  if (!e.value.IsMap()) {
    ctx.diags.error(value_pos(ctx, e),
                    "throttle: expected a mapping with once_within, once_after "
                    "or accumulate_within and group_by_attributes, found " +
                        describe(e.value));
    return std::nullopt;
  }
  throttle_spec t;
  t.pos = value_pos(ctx, e);
  mapping_reader m(ctx, e.value, "throttle");
  m.allow_only(
      {"once_within", "once_after", "accumulate_within", "threshold", "group_by_attributes"});
  const std::size_t errors_before = ctx.diags.error_count();

  std::vector<const map_entry*> windows;
  for (auto k : {"once_within", "once_after", "accumulate_within"}) {
    if (const auto* x = m.get(k)) windows.push_back(x);
  }
  if (windows.empty()) {
    ctx.diags.error(t.pos, "throttle: needs one of once_within, once_after, accumulate_within");
  } else if (windows.size() > 1) {
    ctx.diags.error(ctx.doc.at(windows[1]->key_node),
                    "throttle: use only one of once_within, once_after, accumulate_within");
  }
  if (const auto* x = m.get("once_within")) t.once_within = read_duration(ctx, *x, true);
  if (const auto* x = m.get("once_after")) t.once_after = read_duration(ctx, *x, true);
  if (const auto* x = m.get("accumulate_within")) {
    t.accumulate_within = read_duration(ctx, *x, true);
  }
  const auto* threshold = m.get("threshold");
  if (threshold) {
    value v = to_value(threshold->value, ctx.doc, ctx.diags);
    if (!v.is_number_integer()) {
      ctx.diags.error(value_pos(ctx, *threshold),
                      "threshold: expected an integer, found " + describe(v));
    } else if (v.is_number_unsigned() ? false : v.get<long>() < 1) {
      ctx.diags.error(value_pos(ctx, *threshold), "threshold: must be at least 1");
    } else {
      t.threshold = v.get<long>();
    }
    if (!m.get("accumulate_within")) {
      ctx.diags.warning(ctx.doc.at(threshold->key_node),
                        "throttle: threshold is used only with accumulate_within");
    }
  } else if (m.get("accumulate_within")) {
    ctx.diags.error(t.pos, "throttle: accumulate_within requires 'threshold' (an integer >= 1)");
  }
  if (m.require("group_by_attributes")) {
    if (auto l = read_string_list(ctx, *m.get("group_by_attributes"))) t.group_by_attributes = *l;
  }
  if (ctx.diags.error_count() != errors_before) return std::nullopt;
  return t;
}

}  // namespace rb::rulebook
