// `run_job_template` and `run_workflow_template`: launch a template on the controller
// (services.controller; actions/controller_client.h) and follow the job to its end, as
// ansible-rulebook does. Arguments: name, organization (both required), job_args (sent to the
// launch API: extra_vars, limit, inventory, ...), include_events (true), post_events, set_facts,
// ruleset, retry, retries, delay; labels and add_event_uuid_label are accepted and ignored.
//   extra_vars = job_args.extra_vars + ansible_eda {ruleset, rule, event | events} (none of it with
//     include_events: false); limit = job_args.limit (a list is comma-joined), else the
//     ruleset's hosts.
//   A job that ends `failed` is launched again, up to `retries` more times (`retry: true` is at
//     least one), `delay` seconds apart; an API error (401, no such template) is not retried.
//   The job's artifacts (set_stats data), when not empty, become a fact (set_facts) and/or an
//     event (post_events) of `ruleset` (default: the rule's own), after the audit record.
//   Audit record extra fields: job_template_name (run_job_template) or name (workflow),
//     organization, job_id (a uuid of ours), controller_job_id, url (the job in the controller's
//     UI), status (the controller's: successful | failed | error | canceled), run_at (the job's
//     `created`), and on an API error message and reason {error}.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <memory>

#include "actions/builtin_actions.h"
#include "actions/controller_client.h"
#include "core/clock.h"
#include "core/uuid.h"

namespace rb::actions {

namespace {

struct template_args {
  std::string name;
  std::string organization;
  value job_params = value::object();
  bool post_events = false;
  bool set_facts = false;
  std::string ruleset;
  int retries = 0;
  double delay_s = 0;
};

struct run_context {
  template_kind kind = template_kind::job;
  template_args args;
  services* svc = nullptr;
  int attempt = 0;
  bool cancelled = false;
  std::string job_id = uuid4();
  std::shared_ptr<controller_run> run;
  std::unique_ptr<boost::asio::steady_timer> timer;
  completion done;
};

const char* action_name(template_kind k) {
  return k == template_kind::job ? "run_job_template" : "run_workflow_template";
}

std::string text_of(const value& v) {
  return v.is_string() ? v.get<std::string>()
                       : v.dump(-1, ' ', false, value::error_handler_t::replace);
}

// The rendered arguments as the run needs them; "" or the problem.
std::string read_args(template_kind kind, const firing& f, const value& a, template_args& out) {
  const std::string act = action_name(kind);
  for (const char* key : {"name", "organization"}) {
    auto it = a.find(key);
    if (it == a.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
      return act + ": '" + key + "' must be a non-empty string after rendering";
  }
  out.name = a["name"].get<std::string>();
  out.organization = a["organization"].get<std::string>();
  for (const char* key : {"post_events", "set_facts", "include_events", "retry"}) {
    auto it = a.find(key);
    if (it != a.end() && !it->is_boolean())
      return act + ": '" + key + "' must be a boolean (got " + text_of(*it) + ")";
  }
  out.post_events = a.value("post_events", false);
  out.set_facts = a.value("set_facts", false);
  out.ruleset = target_ruleset(act, f, a);
  if (auto r = a.find("retries"); r != a.end()) {
    if (!r->is_number_integer())
      return act + ": 'retries' must be an integer (got " + text_of(*r) + ")";
    out.retries = static_cast<int>(std::clamp<long long>(r->get<long long>(), 0, 1000));
  }
  if (a.value("retry", false)) out.retries = std::max(out.retries, 1);
  if (auto d = a.find("delay"); d != a.end()) {
    if (!d->is_number() || d->get<double>() < 0)
      return act + ": 'delay' must be a number of seconds (got " + text_of(*d) + ")";
    out.delay_s = d->get<double>();
  }
  value params = value::object();
  if (auto j = a.find("job_args"); j != a.end() && !j->is_null()) {
    if (!j->is_object()) return act + ": 'job_args' must be a mapping";
    params = *j;
  }
  // limit: the job's own, else the ruleset's hosts.
  if (auto l = params.find("limit"); l != params.end()) {
    if (l->is_array()) {
      std::string joined;
      for (const auto& h : *l) joined += (joined.empty() ? "" : ",") + text_of(h);
      *l = joined;
    } else if (!l->is_string()) {
      *l = text_of(*l);
    }
  } else {
    params["limit"] = std::string(f.hosts);
  }
  value extra = value::object();
  if (auto e = params.find("extra_vars"); e != params.end() && !e->is_null()) {
    if (!e->is_object()) return act + ": 'job_args.extra_vars' must be a mapping";
    extra = *e;
  }
  if (a.value("include_events", true)) {
    value eda = value::object();
    eda["ruleset"] = f.ruleset;
    eda["rule"] = f.rule;
    if (f.events) eda["events"] = *f.events;
    if (f.event) eda["event"] = *f.event;
    extra["ansible_eda"] = std::move(eda);
  }
  params["extra_vars"] = std::move(extra);
  out.job_params = std::move(params);
  return {};
}

class run_template_action final : public action {
 public:
  explicit run_template_action(template_kind kind) : kind_(kind) {}

  std::string_view audit_name() const noexcept override { return action_name(kind_); }

  void start(const firing& f, const value& args, services& svc, completion done,
             cancel_slot& cancel) noexcept override {
    auto ctx = std::make_shared<run_context>();
    ctx->kind = kind_;
    ctx->svc = &svc;
    std::string error;
    try {
      error = read_args(kind_, f, args, ctx->args);
    } catch (const std::exception& e) {
      error = std::string(action_name(kind_)) + ": " + e.what();
    }
    if (error.empty() && (!svc.controller || svc.controller->url.empty()))
      error = std::string(action_name(kind_)) +
              ": no controller configured (--controller-url or EDA_CONTROLLER_URL)";
    if (error.empty() && !svc.http)
      error = std::string(action_name(kind_)) + ": no HTTP client in this engine";
    if (!error.empty()) {
      done({false, std::move(error), nullptr});
      return;
    }
    spdlog::info("running {}: {}, organization: {} (ruleset '{}', rule '{}')",
                 kind_ == template_kind::job ? "job template" : "workflow template", ctx->args.name,
                 ctx->args.organization, f.ruleset, f.rule);
    ctx->done = std::move(done);
    ctx->timer = std::make_unique<boost::asio::steady_timer>(svc.executor);
    cancel.handler = [ctx] {
      ctx->cancelled = true;
      ctx->timer->cancel();
      if (ctx->run) ctx->run->cancel();
      ctx->run.reset();
    };
    attempt(ctx);
  }

 private:
  static void attempt(const std::shared_ptr<run_context>& ctx) {
    ++ctx->attempt;
    services& svc = *ctx->svc;
    ctx->run = run_controller_template(
        *svc.controller, *svc.http, svc.executor, ctx->kind, ctx->args.name, ctx->args.organization,
        ctx->args.job_params, [ctx](controller_outcome o) {
          if (ctx->cancelled) return;
          ctx->run.reset();
          const bool failed_job = o.ended && o.job.value("status", "") == "failed";
          if (failed_job && ctx->attempt <= ctx->args.retries) {
            spdlog::warn("previous {} failed. Retry {} of {}", action_name(ctx->kind), ctx->attempt,
                         ctx->args.retries);
            ctx->timer->expires_after(
                std::chrono::milliseconds(static_cast<long long>(ctx->args.delay_s * 1000)));
            ctx->timer->async_wait([ctx](const boost::system::error_code& ec) {
              if (ec || ctx->cancelled) return;
              attempt(ctx);
            });
            return;
          }
          complete(ctx, std::move(o));
        });
  }

  static void complete(const std::shared_ptr<run_context>& ctx, controller_outcome o) {
    const controller_settings& s = *ctx->svc->controller;
    const char* what = ctx->kind == template_kind::job ? "job template" : "workflow template";
    value extra = value::object();
    extra[ctx->kind == template_kind::job ? "job_template_name" : "name"] = ctx->args.name;
    extra["organization"] = ctx->args.organization;
    extra["job_id"] = ctx->job_id;
    action_result r;
    if (!o.ended) {
      extra["status"] = "failed";
      extra["url"] = "";
      extra["controller_job_id"] = "";
      extra["message"] = o.error;
      extra["reason"] = value{{"error", o.error}};
      r.ok = false;
      r.error = std::string(action_name(ctx->kind)) + ": " + o.error;
    } else {
      const value& job = o.job;
      const std::string status = job.value("status", "");
      const value id = job.contains("id") ? job["id"] : value("");
      extra["status"] = status;
      if (auto c = job.find("created"); c != job.end() && c->is_string()) extra["run_at"] = *c;
      extra["url"] = job.contains("id") ? controller_job_ui_url(s, ctx->kind, id) : "";
      extra["controller_job_id"] = id;
      r.ok = status == "successful";
      if (r.ok) {
        spdlog::info("{} '{}' completed successfully (controller job {}, {})", what, ctx->args.name,
                     text_of(id), extra["url"].get<std::string>());
      } else {
        r.error = std::string(action_name(ctx->kind)) + ": " + what + " '" + ctx->args.name +
                  "' (organization '" + ctx->args.organization + "') ended " + status +
                  " (controller job " + text_of(id) + ", " + extra["url"].get<std::string>() + ")";
        if (ctx->attempt > 1) r.error += " after " + std::to_string(ctx->attempt) + " attempts";
      }
    }
    r.extra = std::move(extra);
    value artifacts = nullptr;
    if (o.ended && (ctx->args.set_facts || ctx->args.post_events)) {
      if (auto a = o.job.find("artifacts"); a != o.job.end() && a->is_object() && !a->empty())
        artifacts = *a;
      else
        spdlog::debug("{} '{}': empty artifacts are not set", what, ctx->args.name);
    }
    // The record first, then the artifacts (as ansible-rulebook: status, then facts and events).
    services& svc = *ctx->svc;
    auto done = std::move(ctx->done);
    ctx->done = nullptr;
    done(std::move(r));
    if (artifacts.is_null()) return;
    if (ctx->args.set_facts && svc.set_fact) {
      const std::string err = svc.set_fact(ctx->args.ruleset, value(artifacts));
      if (!err.empty())
        spdlog::error("{}: cannot set the artifacts of '{}' as a fact: {}", action_name(ctx->kind),
                      ctx->args.name, err);
    }
    if (ctx->args.post_events && svc.post_event) {
      const std::string err = svc.post_event(ctx->args.ruleset, std::move(artifacts));
      if (!err.empty())
        spdlog::error("{}: cannot post the artifacts of '{}' as an event: {}",
                      action_name(ctx->kind), ctx->args.name, err);
    }
  }

  template_kind kind_;
};

std::unique_ptr<action> make_run_template(template_kind kind, const value& args) {
  const char* act = action_name(kind);
  expect_only(act, args,
              {"name", "organization", "job_args", "post_events", "set_facts", "ruleset", "retry",
               "retries", "delay", "include_events", "labels", "add_event_uuid_label"});
  for (const char* key : {"name", "organization"})
    if (!args.contains(key))
      throw action_error(std::string(act) + ": missing required argument '" + key + "'");
  if (args.contains("labels") || args.contains("add_event_uuid_label"))
    spdlog::warn("{}: 'labels' and 'add_event_uuid_label' are ignored by this engine", act);
  return std::make_unique<run_template_action>(kind);
}

}  // namespace

std::unique_ptr<action> make_run_job_template(const value& args) {
  return make_run_template(template_kind::job, args);
}

std::unique_ptr<action> make_run_workflow_template(const value& args) {
  return make_run_template(template_kind::workflow, args);
}

}  // namespace rb::actions
