// firing_job: one rule firing's actions as a dispatcher job. For each action, in order, it
// builds what the action sees (event or events after var_root, variables, masked for `debug`,
// facts set earlier in the firing), renders the action's argument templates against that
// context, takes `lock` out, runs the action, and writes the audit record and the log line.
//
// prepared_action is built once per rulebook action at start-up: the action itself, its
// arguments compiled as a template (a template error is reported then), its var_root.
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "actions/action.h"
#include "actions/audit_log.h"
#include "actions/dispatcher.h"
#include "condition/template.h"
#include "core/clock.h"
#include "core/leadership.h"
#include "match/firing.h"

namespace rb::actions {

struct prepared_action {
  std::string type;
  std::unique_ptr<action> act;
  condition::compiled_template args;  // lock included, var_root taken out
  value var_root = nullptr;           // null when absent
  // rulebook_actions_total{action, status}: successful, failed, not run (set by the engine).
  metric_counter* outcome_ok = nullptr;
  metric_counter* outcome_failed = nullptr;
  metric_counter* outcome_not_run = nullptr;
};

// Builds a prepared_action. Returns the error text on failure: an action_error's message, or a
// template error as "argument '<path>' (offset N): <message>".
std::variant<prepared_action, std::string> prepare_action(std::string_view type, const value& args,
                                                          const extra_actions* extra = nullptr);

// A rule as its jobs see it; owned by the engine, outlives every job.
struct rule_info {
  std::string ruleset;
  std::string ruleset_uuid;
  std::string rule;
  std::string rule_uuid;
  std::string hosts;  // the ruleset's hosts, comma-joined
  std::vector<prepared_action> actions;
  std::string audit_fields;  // audit_log::rule_fields of the above, when there is an audit log
};

// http_check and none: actions that change nothing outside this worker but its heartbeats, which
// the store fences. They alone run in HA's observe-only mode.
inline bool observes_only(std::string_view type) noexcept {
  return type == "http_check" || type == "none";
}

// Engine-wide, outlives every job.
struct job_env {
  services* svc = nullptr;
  const value* vars = nullptr;         // variables
  const value* masked_vars = nullptr;  // the same, secrets masked (for debug)
  audit_log* audit = nullptr;          // null: no audit log
  std::string activation_id;
  const leadership* ha = nullptr;  // HA: records carry worker_id and ha_epoch
};

// An audit record of `action` for `rule` (matching events and outcome left to the caller).
audit_log::action_record audit_record(const rule_info& rule, const job_env& env,
                                      std::string_view action, const iso_timestamp& rule_run_at,
                                      const iso_timestamp& run_at) noexcept;

class firing_job final : public job {
 public:
  // `events` are the firing's matching events in report order (match::firing::events()).
  firing_job(const rule_info& rule, std::vector<match::named_event> events, const job_env& env);

  std::size_t size() const noexcept override { return rule_.actions.size(); }
  std::variant<step, action_result> prepare(std::size_t i) noexcept override;
  void start(std::size_t i, completion done, cancel_slot& cancel) noexcept override;
  void finish(std::size_t i, action_result&& result) noexcept override;
  bool observes_only(std::size_t i) const noexcept override {
    return actions::observes_only(rule_.actions[i].type);
  }

 private:
  const value& base_events();
  value matching_events() const;
  void write_record_with_extra(std::string_view name, const action_result& result);

  const rule_info& rule_;
  std::vector<match::named_event> events_;
  const job_env& env_;
  iso_timestamp rule_run_at_;
  iso_timestamp step_run_at_;  // when the current step started
  bool step_started_ = false;
  bool single_ = false;  // one event named `m`: the action sees `event`
  value events_obj_;     // built on first use for multi-event firings
  bool events_built_ = false;
  value facts_set_;  // null until set_fact adds to it
  // The current step: its arguments, rendered or (constant without `lock`) the prepared ones.
  value step_args_;
  const value* step_args_used_ = &step_args_;
  std::optional<value> step_root_;  // event or events after var_root
  firing view_;
};

}  // namespace rb::actions
