// Shared pieces of the schema checks: the mapping reader and typed reads.
#include <set>

#include "rulebook/duration.h"
#include "rulebook/schema.h"

namespace rb::rulebook {

mapping_reader::mapping_reader(load_context& ctx, const YAML::Node& map, std::string what,
                               bool report_duplicates)
    : ctx_(ctx), map_(map), what_(std::move(what)) {
  std::set<std::string> seen;
  for (const auto& kv : map) {
    const YAML::Node k = kv.first;
    if (!k.IsScalar()) {
      ctx_.diags.error(ctx_.doc.at(k),
                       "in " + what_ + ": a key must be a string, found " + describe(k));
      continue;
    }
    std::string key = k.Scalar();
    if (!seen.insert(key).second) {
      // PyYAML silently keeps the last one; a repeated `action:` is almost always a mistake.
      if (report_duplicates) {
        ctx_.diags.error(ctx_.doc.at(k), "duplicate key " + quote(key) + " in " + what_);
      }
      continue;
    }
    entries_.push_back({std::move(key), k, kv.second});
  }
}

const map_entry* mapping_reader::get(std::string_view key) const {
  for (const auto& e : entries_) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

void mapping_reader::allow_only(const std::vector<std::string_view>& allowed) const {
  for (const auto& e : entries_) {
    bool ok = false;
    for (auto a : allowed) ok = ok || e.key == a;
    if (ok) continue;
    std::string msg = "unknown key " + quote(e.key) + " in " + what_;
    if (auto near = closest(e.key, allowed); !near.empty())
      msg += " (did you mean '" + near + "'?)";
    msg += "; allowed keys: " + join(allowed);
    ctx_.diags.error(ctx_.doc.at(e.key_node), msg);
  }
}

bool mapping_reader::require(std::string_view key) const {
  if (get(key)) return true;
  ctx_.diags.error(pos(), "missing required key '" + std::string(key) + "' in " + what_);
  return false;
}

position value_pos(load_context& ctx, const map_entry& e) {
  return ctx.doc.value_at(e.value, e.key_node);
}

namespace {
void type_error(load_context& ctx, const map_entry& e, std::string_view expected) {
  ctx.diags.error(value_pos(ctx, e),
                  e.key + ": expected " + std::string(expected) + ", found " + describe(e.value));
}

// A scalar that resolves (PyYAML rules) to a string, e.g. not `yes` or `12`.
bool is_string_node(const YAML::Node& n) { return n.IsScalar() && describe(n) == "a string"; }
}  // namespace

std::optional<std::string> read_string(load_context& ctx, const map_entry& e) {
  if (!is_string_node(e.value)) {
    type_error(ctx, e, "a string");
    return std::nullopt;
  }
  return e.value.Scalar();
}

std::optional<bool> read_bool(load_context& ctx, const map_entry& e) {
  if (e.value.IsScalar()) {
    value v = to_value(e.value, ctx.doc, ctx.diags);
    if (v.is_boolean()) return v.get<bool>();
  }
  type_error(ctx, e, "a boolean (true or false)");
  return std::nullopt;
}

std::optional<std::vector<std::string>> read_string_list(load_context& ctx, const map_entry& e) {
  if (!e.value.IsSequence()) {
    type_error(ctx, e, "a list of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (const auto& item : e.value) {
    if (!is_string_node(item)) {
      ctx.diags.error(ctx.doc.at(item),
                      e.key + ": expected each item to be a string, found " + describe(item));
      ok = false;
      continue;
    }
    out.push_back(item.Scalar());
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::chrono::milliseconds> read_duration(load_context& ctx, const map_entry& e,
                                                       bool allow_ms) {
  if (!is_string_node(e.value)) {
    type_error(ctx, e, "a duration such as '10 seconds'");
    return std::nullopt;
  }
  const std::string& text = e.value.Scalar();
  if (auto d = parse_duration_text(text, allow_ms)) return d;
  ctx.diags.error(value_pos(ctx, e), e.key + ": invalid duration " + quote(text) + ": expected " +
                                         duration_forms(allow_ms));
  return std::nullopt;
}

}  // namespace rb::rulebook
