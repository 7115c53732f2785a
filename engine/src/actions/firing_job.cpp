#include "actions/firing_job.h"

#include <spdlog/spdlog.h>

#include "actions/audit_log.h"
#include "actions/variables.h"
#include "core/clock.h"
#include "core/event_meta.h"
#include "core/uuid.h"

namespace rb::actions {

std::variant<prepared_action, std::string> prepare_action(std::string_view type, const value& args,
                                                          const extra_actions* extra) {
  prepared_action p;
  p.type = std::string(type);
  value tree = args.is_object() ? args : value::object();
  // var_root is read as written (ansible-rulebook takes it out before rendering); lock is
  // rendered with the rest but never reaches the action.
  if (auto it = tree.find("var_root"); it != tree.end()) {
    if (!it->is_string() && !it->is_object())
      return std::string(type) + ": argument 'var_root' must be a string or a mapping";
    p.var_root = *it;
    tree.erase(it);
  }
  value for_action = tree;
  for_action.erase("lock");
  try {
    p.act = make_action(type, for_action, extra);
  } catch (const action_error& e) {
    return std::string(e.what());
  }
  auto compiled = condition::compile_template(tree);
  if (auto* err = std::get_if<condition::template_error>(&compiled)) {
    return "argument '" + err->path + "' (offset " + std::to_string(err->offset) +
           "): " + err->message;
  }
  p.args = std::get<condition::compiled_template>(std::move(compiled));
  return p;
}

audit_log::action_record audit_record(const rule_info& rule, const job_env& env,
                                      std::string_view action, const iso_timestamp& rule_run_at,
                                      const iso_timestamp& run_at) noexcept {
  audit_log::action_record r;
  r.action = action;
  r.ruleset = rule.ruleset;
  r.ruleset_uuid = rule.ruleset_uuid;
  r.rule = rule.rule;
  r.rule_uuid = rule.rule_uuid;
  r.rule_fields = rule.audit_fields;
  r.rule_run_at = rule_run_at.view();
  r.activation_id = env.activation_id;
  r.run_at = run_at.view();
  if (env.ha) {
    r.worker_id = &env.ha->worker_id();
    r.ha_epoch = env.ha->term().epoch;
  }
  return r;
}

firing_job::firing_job(const rule_info& rule, std::vector<match::named_event> events,
                       const job_env& env)
    : rule_(rule), events_(std::move(events)), env_(env), rule_run_at_(utc_now_stamp()) {
  single_ = events_.size() == 1 && events_[0].name == "m";
  // Actions see whole events (the engine materializes firings before they become jobs).
  for (auto& e : events_) match::materialize(e);
  view_.ruleset = rule_.ruleset;
  view_.ruleset_uuid = rule_.ruleset_uuid;
  view_.rule = rule_.rule;
  view_.rule_uuid = rule_.rule_uuid;
  view_.rule_run_at = rule_run_at_.view();
  view_.facts_set = &facts_set_;
  view_.hosts = rule_.hosts;
}

const value& firing_job::base_events() {
  if (!events_built_) {
    events_obj_ = value::object();
    for (const auto& e : events_) events_obj_[std::string(e.name)] = *e.event;
    events_built_ = true;
  }
  return events_obj_;
}

std::variant<job::step, action_result> firing_job::prepare(std::size_t i) noexcept {
  const prepared_action& pa = rule_.actions[i];
  step_started_ = false;
  step_args_used_ = &step_args_;
  try {
    // What this action sees: the event(s) after its var_root.
    step_root_.reset();
    if (!pa.var_root.is_null()) {
      if (single_) {
        step_root_ = apply_var_root(*events_[0].event, pa.var_root);
      } else {
        step_root_ = apply_var_root_events(base_events(), pa.var_root);
      }
    }
    static const value empty_object = value::object();
    const value* event = nullptr;
    const value* events = nullptr;
    if (single_) {
      event = step_root_ ? &*step_root_ : events_[0].event.get();
    } else if (events_.empty()) {
      event = &empty_object;  // ansible-rulebook: no matching events gives event {}
    } else {
      events = step_root_ ? &*step_root_ : &base_events();
    }
    const value* vars = pa.type == "debug" ? env_.masked_vars : env_.vars;
    view_.event = event;
    view_.events = events;
    view_.vars = vars;

    if (pa.args.is_constant()) {
      // Used in place unless `lock` must come out: no copy per firing.
      const value& tree = pa.args.tree();
      if (tree.is_object() && !tree.contains("lock")) {
        step_args_used_ = &tree;
        return step{};
      }
      step_args_ = tree;
    } else {
      // Only the names the templates use: copying every variable per action would cost more
      // than rendering.
      value context = value::object();
      for (const auto& name : pa.args.referenced_names()) {
        if (name == "event" && event) {
          context[name] = *event;
        } else if (name == "events" && events) {
          context[name] = *events;
        } else if (name == "fact" && !facts_set_.empty()) {
          context[name] = facts_set_;
        } else if (vars && vars->is_object()) {
          if (auto it = vars->find(name); it != vars->end()) context[name] = *it;
        }
      }
      auto rendered = pa.args.render(context);
      if (auto* err = std::get_if<std::string>(&rendered))
        return action_result{false, *err, nullptr};
      step_args_ = std::get<value>(std::move(rendered));
    }
    step lock;
    if (step_args_.is_object()) {
      if (auto it = step_args_.find("lock"); it != step_args_.end()) {
        lock.lock = it->is_string() ? it->get<std::string>()
                                    : it->dump(-1, ' ', false, value::error_handler_t::replace);
        step_args_.erase(it);
      }
    } else {
      step_args_ = value::object();
    }
    return lock;
  } catch (const std::exception& e) {
    return action_result{false, e.what(), nullptr};
  }
}

void firing_job::start(std::size_t i, completion done, cancel_slot& cancel) noexcept {
  // When the action started (after the leadership check): a process frozen while an action runs
  // must not date it after it woke.
  step_run_at_ = utc_now_stamp();
  step_started_ = true;
  rule_.actions[i].act->start(view_, *step_args_used_, *env_.svc, std::move(done), cancel);
}

value firing_job::matching_events() const {
  if (view_.event) return value{{"m", *view_.event}};
  if (view_.events) return *view_.events;
  return value::object();
}

void firing_job::finish(std::size_t i, action_result&& result) noexcept {
  const prepared_action& pa = rule_.actions[i];
  const std::string_view name = pa.act->audit_name();
  metric_counter* outcome =
      result.not_run ? pa.outcome_not_run : (result.ok ? pa.outcome_ok : pa.outcome_failed);
  if (outcome) outcome->inc();
  if (result.not_run) {
    spdlog::warn("ruleset '{}' rule '{}': action '{}' {}", rule_.ruleset, rule_.rule, name,
                 result.error);
    return;
  }
  if (!result.ok) {
    spdlog::error("ruleset '{}' rule '{}': action '{}' failed: {}", rule_.ruleset, rule_.rule, name,
                  result.error);
  }
  if (!env_.audit) return;
  if (!step_started_) step_run_at_ = utc_now_stamp();
  if (result.extra.is_object() && !result.extra.empty()) {
    write_record_with_extra(name, result);
    return;
  }
  audit_log::action_record r = audit_record(rule_, env_, name, rule_run_at_, step_run_at_);
  r.ok = result.ok;
  r.message = result.error;
  r.event = view_.event;
  r.events = view_.event ? nullptr : view_.events;
  env_.audit->append(r);
}

// Actions that report more (shutdown: delay, message, kind): rare, built as a tree so that
// their fields may also replace the standard ones.
void firing_job::write_record_with_extra(std::string_view name, const action_result& result) {
  try {
    value rec = value::object();
    rec["type"] = "Action";
    rec["action"] = name;
    rec["action_uuid"] = uuid4();
    rec["ruleset"] = rule_.ruleset;
    rec["ruleset_uuid"] = rule_.ruleset_uuid;
    rec["rule"] = rule_.rule;
    rec["rule_uuid"] = rule_.rule_uuid;
    rec["rule_run_at"] = rule_run_at_.view();
    rec["activation_id"] = env_.activation_id;
    rec["activation_instance_id"] = env_.activation_id;
    rec["run_at"] = step_run_at_.view();
    rec["status"] = result.ok ? "successful" : "failed";
    rec["matching_events"] = matching_events();
    if (!result.ok) rec["message"] = result.error;
    if (env_.ha) {
      rec["worker_id"] = env_.ha->worker_id();
      rec["ha_epoch"] = env_.ha->term().epoch;
    }
    for (auto it = result.extra.begin(); it != result.extra.end(); ++it) rec[it.key()] = it.value();
    env_.audit->append(rec);
  } catch (const std::exception& e) {
    spdlog::error("cannot build the audit record of rule '{}': {}", rule_.rule, e.what());
  }
}

}  // namespace rb::actions
