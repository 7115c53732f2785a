// schema: the checks of ansible-rulebook's ruleset_schema.json, one function per schema object,
// each turning a YAML node into its model struct while reporting every problem it can find.
// A failed check reports a diagnostic and leaves a default in the model, so checking continues
// and one run shows every error.
// INTERNAL to rulebook/: includes yaml-cpp; other modules see only loader.h and model.h.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rulebook/yaml_document.h"

namespace rb::rulebook {

struct load_context {
  const yaml_document& doc;
  diagnostics& diags;
  const value& vars;
};

struct map_entry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

// A YAML mapping read as a schema object: duplicate keys are reported once on construction,
// unknown keys by allow_only(), missing ones by require().
class mapping_reader {
 public:
  // `what` names the object in messages, e.g. "ruleset 'Demo'" or "throttle".
  // `report_duplicates` is off when to_value() already reported them for the same mapping.
  mapping_reader(load_context& ctx, const YAML::Node& map, std::string what,
                 bool report_duplicates = true);

  const map_entry* get(std::string_view key) const;
  const std::vector<map_entry>& entries() const { return entries_; }
  const std::string& what() const { return what_; }
  position pos() const { return ctx_.doc.at(map_); }

  void allow_only(const std::vector<std::string_view>& allowed) const;
  // Reports a missing key at the position of the mapping; returns whether it is present.
  bool require(std::string_view key) const;

 private:
  load_context& ctx_;
  YAML::Node map_;
  std::string what_;
  std::vector<map_entry> entries_;
};

// Position of an entry's value (its key when the value is empty).
position value_pos(load_context& ctx, const map_entry& e);

// Typed reads of one entry; each reports "<key>: expected X, found Y" and returns nullopt on a
// wrong type.
std::optional<std::string> read_string(load_context& ctx, const map_entry& e);
std::optional<bool> read_bool(load_context& ctx, const map_entry& e);
std::optional<std::vector<std::string>> read_string_list(load_context& ctx, const map_entry& e);
// A duration string "<n> <unit>"; `allow_ms` adds millisecond(s) (timeouts and throttles).
std::optional<std::chrono::milliseconds> read_duration(load_context& ctx, const map_entry& e,
                                                       bool allow_ms);

// One function per schema object.
std::vector<ruleset_spec> parse_rulebook(load_context& ctx, const YAML::Node& root);
ruleset_spec parse_ruleset(load_context& ctx, const YAML::Node& node);
source_spec parse_source(load_context& ctx, const YAML::Node& node);
filter_spec parse_filter(load_context& ctx, const YAML::Node& node);
rule_spec parse_rule(load_context& ctx, const YAML::Node& node, const std::string& ruleset);
condition_spec parse_condition(load_context& ctx, const map_entry& e, const std::string& rule);
std::optional<throttle_spec> parse_throttle(load_context& ctx, const map_entry& e);
std::optional<action_spec> parse_action(load_context& ctx, const YAML::Node& node);

// Every action name the schema knows, in the schema's order.
const std::vector<std::string_view>& known_actions();

}  // namespace rb::rulebook
