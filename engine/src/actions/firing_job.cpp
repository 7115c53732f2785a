#include "actions/firing_job.h"

#include <spdlog/spdlog.h>

#include "actions/audit_log.h"
#include "actions/variables.h"
#include "core/clock.h"
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

firing_job::firing_job(const rule_info& rule, std::vector<match::named_event> events,
                       const job_env& env)
    : rule_(rule), events_(std::move(events)), env_(env), rule_run_at_(utc_now_iso()) {
  single_ = events_.size() == 1 && events_[0].name == "m";
  view_.ruleset = rule_.ruleset;
  view_.ruleset_uuid = rule_.ruleset_uuid;
  view_.rule = rule_.rule;
  view_.rule_uuid = rule_.rule_uuid;
  view_.rule_run_at = rule_run_at_;
  view_.facts_set = &facts_set_;
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
  step_run_at_.clear();
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
      step_args_ = pa.args.tree();
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
  step_run_at_ = utc_now_iso();
  rule_.actions[i].act->start(view_, step_args_, *env_.svc, std::move(done), cancel);
}

value firing_job::matching_events() const {
  if (view_.event) return value{{"m", *view_.event}};
  if (view_.events) return *view_.events;
  return value::object();
}

void firing_job::finish(std::size_t i, action_result&& result) noexcept {
  const prepared_action& pa = rule_.actions[i];
  const std::string_view name = pa.act->audit_name();
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
  try {
    value rec = value::object();
    rec["type"] = "Action";
    rec["action"] = name;
    rec["action_uuid"] = uuid4();
    rec["ruleset"] = rule_.ruleset;
    rec["ruleset_uuid"] = rule_.ruleset_uuid;
    rec["rule"] = rule_.rule;
    rec["rule_uuid"] = rule_.rule_uuid;
    rec["rule_run_at"] = rule_run_at_;
    rec["activation_id"] = env_.activation_id;
    rec["activation_instance_id"] = env_.activation_id;
    rec["run_at"] = step_run_at_.empty() ? utc_now_iso() : step_run_at_;
    rec["status"] = result.ok ? "successful" : "failed";
    rec["matching_events"] = matching_events();
    if (!result.ok) rec["message"] = result.error;
    if (env_.ha) {
      rec["worker_id"] = env_.ha->worker_id();
      rec["ha_epoch"] = env_.ha->term().epoch;
    }
    if (result.extra.is_object()) {
      for (auto it = result.extra.begin(); it != result.extra.end(); ++it)
        rec[it.key()] = it.value();
    }
    if (!env_.audit->write(rec)) spdlog::error("cannot write to the audit log");
  } catch (const std::exception& e) {
    spdlog::error("cannot build the audit record of rule '{}': {}", rule_.rule, e.what());
  }
}

}  // namespace rb::actions
