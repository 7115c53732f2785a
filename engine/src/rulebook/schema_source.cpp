// Source entries and their event filters.
#include "rulebook/schema.h"

namespace rb::rulebook {

namespace {
// Source and filter args are rendered with the vars now, as ansible-rulebook does when it starts
// a source; the plugin never sees `{{ }}`.
value read_args(load_context& ctx, const map_entry& e, std::string_view owner,
                std::string_view context) {
  if (e.value.IsNull()) return value::object();
  if (!e.value.IsMap()) {
    ctx.diags.error(value_pos(ctx, e), std::string(owner) + " " + quote(e.key) +
                                           ": expected its arguments as a mapping (or nothing), "
                                           "found " +
                                           describe(e.value));
    return value::object();
  }
  return to_value(e.value, ctx.doc, ctx.diags, {&ctx.vars, context});
}
}  // namespace

source_spec parse_source(load_context& ctx, const YAML::Node& node) {
  source_spec src;
  src.pos = ctx.doc.at(node);
  if (!node.IsMap()) {
    ctx.diags.error(src.pos,
                    "expected a source (a mapping with one plugin name as a key, e.g. "
                    "'eda.builtin.range: {limit: 5}'), found " +
                        describe(node));
    return src;
  }
  mapping_reader m(ctx, node, "source");
  std::vector<const map_entry*> plugins;
  for (const auto& e : m.entries()) {
    if (e.key != "name" && e.key != "filters") plugins.push_back(&e);
  }
  if (plugins.empty()) {
    ctx.diags.error(src.pos,
                    "source has no plugin: expected one key naming the source plugin "
                    "(e.g. 'eda.builtin.range:') besides 'name' and 'filters'");
  } else if (plugins.size() > 1) {
    std::vector<std::string_view> names;
    for (const auto* p : plugins) names.push_back(p->key);
    ctx.diags.error(ctx.doc.at(plugins[1]->key_node),
                    "source has more than one plugin key (" + join(names) +
                        "); a source entry takes exactly one plugin besides 'name' and 'filters'");
  }
  if (!plugins.empty()) {
    const map_entry& p = *plugins.front();
    src.plugin = p.key;
    src.args = read_args(ctx, p, "source plugin", "source argument");
  }
  src.name = src.plugin;
  if (const auto* e = m.get("name")) {
    if (auto s = read_string(ctx, *e)) {
      if (!s->empty()) src.name = *s;
    }
  }
  if (const auto* e = m.get("filters")) {
    if (e->value.IsNull()) {
      // `filters:` with nothing under it: PyYAML gives None, which ansible-rulebook cannot iterate.
      ctx.diags.error(value_pos(ctx, *e), "filters: expected a list of filters, found null");
    } else if (!e->value.IsSequence()) {
      ctx.diags.error(value_pos(ctx, *e),
                      "filters: expected a list of filters, found " + describe(e->value));
    } else {
      for (const auto& f : e->value) {
        filter_spec fs = parse_filter(ctx, f);
        if (!fs.name.empty()) src.filters.push_back(std::move(fs));
      }
    }
  }
  return src;
}

filter_spec parse_filter(load_context& ctx, const YAML::Node& node) {
  filter_spec fs;
  fs.pos = ctx.doc.at(node);
  if (!node.IsMap()) {
    ctx.diags.error(fs.pos,
                    "expected a filter (a mapping with one filter name as its key, e.g. "
                    "'eda.builtin.json_filter: {exclude_keys: [x]}'), found " +
                        describe(node));
    return fs;
  }
  mapping_reader m(ctx, node, "filter");
  if (m.entries().size() != 1) {
    std::vector<std::string_view> names;
    for (const auto& e : m.entries()) names.push_back(e.key);
    ctx.diags.error(fs.pos, "a filter is a mapping with exactly one key (the filter name), found " +
                                std::to_string(names.size()) +
                                (names.empty() ? std::string() : " (" + join(names) + ")") +
                                "; list each filter as its own '- name:' item");
    if (m.entries().empty()) return fs;
  }
  const map_entry& e = m.entries().front();
  fs.name = e.key;
  fs.pos = ctx.doc.at(e.key_node);
  fs.args = read_args(ctx, e, "filter", "filter argument");
  return fs;
}

}  // namespace rb::rulebook
