// model: a loaded rulebook, as plain data. Every element keeps the position it came from so that
// later stages (condition compilation, plugin lookup) can report file:line:column.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/value.h"

namespace rb::rulebook {

struct position {
  std::string file;
  int line = 0;    // 1-based
  int column = 0;  // 1-based
};

std::string to_string(const position& p);  // "file:line:column"

struct filter_spec {
  std::string name;  // as written, e.g. "ansible.eda.json_filter"
  value args = value::object();
  position pos;
};

// `restart:` on a source entry (an extension of ansible-rulebook, docs/sources.md): what to do
// when the source fails.
enum class restart_policy { never, on_failure };

// Default of `max_restarts:`.
inline constexpr int default_max_restarts = 5;

struct source_spec {
  std::string name;    // `name:` or, when absent, the plugin name
  std::string plugin;  // the one plugin key, as written, e.g. "ansible.eda.range"
  value args = value::object();
  std::vector<filter_spec> filters;
  restart_policy restart = restart_policy::never;
  int max_restarts = default_max_restarts;  // restarts after failures before the source fails
  position pos;
};

// One condition string with where it starts in the file. `text_pos` is the position of the first
// character of the condition text itself (inside quotes for a quoted scalar); `single_line` says
// whether columns inside the text map 1:1 onto the file line.
struct condition_text {
  std::string text;
  position text_pos;
  bool single_line = true;
};

struct condition_spec {
  enum class kind { single, all, any, not_all, boolean };
  kind type = kind::single;
  std::vector<condition_text> conditions;  // one for `single`, one or more for all/any/not_all
  bool boolean_value = false;              // for `condition: true|false`
  std::optional<std::chrono::milliseconds> timeout;  // `timeout:` inside the mapping
  position pos;
};

struct action_spec {
  std::string type;  // "debug", "print_event", "run_playbook", ...
  value args = value::object();
  position pos;
};

struct throttle_spec {
  std::optional<std::chrono::milliseconds> once_within;
  std::optional<std::chrono::milliseconds> once_after;
  std::optional<std::chrono::milliseconds> accumulate_within;
  std::optional<long> threshold;
  std::vector<std::string> group_by_attributes;
  position pos;
};

struct rule_spec {
  std::string name;
  condition_spec condition;
  std::vector<action_spec> actions;  // `action:` becomes a one-element list
  // A disabled rule stays in the model (its name still counts for uniqueness, as in
  // ansible-rulebook); the engine must skip it.
  bool enabled = true;
  std::optional<throttle_spec> throttle;
  position pos;
};

struct ruleset_spec {
  std::string name;
  std::vector<std::string> hosts;  // a string `hosts: all` becomes {"all"}
  std::vector<source_spec> sources;
  std::vector<rule_spec> rules;
  bool gather_facts = false;
  std::chrono::milliseconds default_events_ttl = std::chrono::hours(2);
  enum class strategy { sequential, parallel };
  // Unset: the default (--execution-strategy, $EDA_EXECUTION_STRATEGY, else sequential).
  std::optional<strategy> execution_strategy;
  bool match_multiple_rules = false;
  position pos;
};

struct rulebook_model {
  std::string file;
  std::vector<ruleset_spec> rulesets;
};

}  // namespace rb::rulebook
