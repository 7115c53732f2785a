// Source entries and their event filters.
#include <cstdint>

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

// Keys of a source entry that are not the plugin: ansible-rulebook's `name` and `filters`, and
// our restart policy (a plugin cannot be called `restart` or `max_restarts`).
bool is_entry_key(std::string_view key) {
  return key == "name" || key == "filters" || key == "restart" || key == "max_restarts";
}

void read_restart(load_context& ctx, const mapping_reader& m, source_spec& src) {
  if (const auto* e = m.get("restart")) {
    static const std::vector<std::string_view> policies{"on-failure", "never"};
    const std::string found = describe(e->value);
    if (found != "a string") {
      ctx.diags.error(value_pos(ctx, *e),
                      "restart: expected 'on-failure' or 'never', found " + found);
    } else if (e->value.Scalar() == "on-failure") {
      src.restart = restart_policy::on_failure;
    } else if (e->value.Scalar() != "never") {
      std::string msg = "restart: unknown policy " + quote(e->value.Scalar());
      if (auto near = closest(e->value.Scalar(), policies); !near.empty())
        msg += " (did you mean '" + near + "'?)";
      ctx.diags.error(value_pos(ctx, *e), msg + "; expected 'on-failure' or 'never'");
    }
  }
  if (const auto* e = m.get("max_restarts")) {
    const value v = e->value.IsScalar() ? to_value(e->value, ctx.doc, ctx.diags) : value();
    const bool is_int = e->value.IsScalar() && v.is_number_integer();
    if (!is_int || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > 1000000) {
      ctx.diags.error(value_pos(ctx, *e),
                      "max_restarts: expected an integer from 0 to 1000000, found " +
                          (is_int ? v.dump() : describe(e->value)));
    } else {
      src.max_restarts = static_cast<int>(v.get<std::int64_t>());
      if (src.restart != restart_policy::on_failure) {
        ctx.diags.warning(ctx.doc.at(e->key_node),
                          "max_restarts has no effect without 'restart: on-failure' on the "
                          "same source");
      }
    }
  }
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
    if (!is_entry_key(e.key)) plugins.push_back(&e);
  }
  if (plugins.empty()) {
    ctx.diags.error(src.pos,
                    "source has no plugin: expected one key naming the source plugin "
                    "(e.g. 'eda.builtin.range:') besides 'name', 'filters', 'restart' and "
                    "'max_restarts'");
  } else if (plugins.size() > 1) {
    std::vector<std::string_view> names;
    for (const auto* p : plugins) names.push_back(p->key);
    ctx.diags.error(ctx.doc.at(plugins[1]->key_node),
                    "source has more than one plugin key (" + join(names) +
                        "); a source entry takes exactly one plugin besides 'name', 'filters', "
                        "'restart' and 'max_restarts'");
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
  read_restart(ctx, m, src);
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
