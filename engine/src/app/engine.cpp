#include "app/engine.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <deque>
#include <functional>
#include <optional>
#include <vector>

#include "actions/action.h"
#include "actions/audit_log.h"
#include "app/condition_compiler.h"
#include "core/clock.h"
#include "core/uuid.h"
#include "filters/filter.h"
#include "match/ruleset_matcher.h"
#include "app/plugin_factory.h"
#include "app/source_sink.h"

namespace rb::app {

namespace asio = boost::asio;

namespace {

// Events matched per turn of the loop before other work (sources, timers, signals) gets a go.
constexpr std::size_t drain_batch = 256;

struct rule_actions {
  std::vector<std::unique_ptr<actions::action>> actions;
  std::vector<value> args;  // per action
  bool all_noop = true;     // only `none` actions: nothing needs the firing's details
};

struct ruleset_runtime;

struct source_runtime {
  std::string name;
  std::string plugin;
  std::unique_ptr<sources::source> source;
  std::unique_ptr<sources::event_sink> sink;
  bool ended = false;
  bool failed_in_filter = false;  // a filter raised: the source is stopped and counts as failed
};

struct ruleset_runtime {
  std::string name;
  std::string uuid;
  std::optional<match::ruleset_matcher> matcher;
  std::vector<rule_actions> rule_actions_;  // parallel to matcher->rules()
  std::vector<source_runtime> sources;
  ruleset_queue queue;
  bool drain_scheduled = false;
};

}  // namespace

struct engine::impl {
  const cli_options& options;
  value vars;
  asio::io_context io{1};
  asio::signal_set signals{io, SIGINT, SIGTERM};
  asio::steady_timer shutdown_deadline{io};
  sources::ha_signals ha{io};
  plugin_options plugins;
  std::vector<std::unique_ptr<ruleset_runtime>> rulesets;
  std::unique_ptr<actions::audit_log> audit;
  actions::services services;
  std::vector<std::size_t> fired;  // scratch, reused per event

  enum class state { running, stopping, stopped };
  state current = state::running;
  bool discard_queued = false;  // `shutdown` action: queued events are dropped, as ansible does
  bool source_failed = false;
  std::size_t sources_running = 0;

  impl(const cli_options& o, value v) : options(o), vars(std::move(v)) {
    plugins.source_dirs = o.source_dirs;
    plugins.filter_dirs = o.filter_dirs;
    plugins.lua.allow = o.lua_allow;
    plugins.lua.memory_limit = o.lua_memory_limit;
    ha.leader.set();  // without HA this engine is always the leader
  }

  // ---- building ----

  void on_filter_error(ruleset_runtime& rs, std::size_t source_index, const std::string& filter,
                       const std::string& error) {
    source_runtime& sr = rs.sources[source_index];
    if (sr.failed_in_filter) return;
    sr.failed_in_filter = true;
    source_failed = true;
    spdlog::error("source '{}' ({}) of ruleset '{}': filter '{}' failed: {}; stopping the source",
                  sr.name, sr.plugin, rs.name, filter, error);
    if (sr.source && !sr.ended) sr.source->stop();
  }

  void build(const rulebook::rulebook_model& model) {
    std::vector<std::string> errors;
    for (const auto& spec : model.rulesets) {
      auto rs = std::make_unique<ruleset_runtime>();
      rs->name = spec.name;
      rs->uuid = uuid4();
      std::vector<match::rule> rules;
      for (const auto& rule_spec : spec.rules) {
        match::rule r;
        r.name = rule_spec.name;
        r.uuid = uuid4();
        r.enabled = rule_spec.enabled;
        const std::string where = rulebook::to_string(rule_spec.pos) + ": rule '" + rule_spec.name +
                                  "' in ruleset '" + spec.name + "'";
        if (rule_spec.throttle) errors.push_back(where + ": 'throttle' is not supported yet");
        switch (rule_spec.condition.type) {
          case rulebook::condition_spec::kind::boolean:
            r.constant = rule_spec.condition.boolean_value;
            break;
          case rulebook::condition_spec::kind::single: {
            auto compiled = compile_rule_condition(rule_spec, rule_spec.condition.conditions.at(0),
                                                   vars);
            if (auto* err = std::get_if<std::string>(&compiled)) {
              errors.push_back(*err);
            } else {
              r.program = std::move(std::get<condition::program>(compiled));
            }
            break;
          }
          default:
            errors.push_back(rulebook::to_string(rule_spec.condition.pos) + ": rule '" +
                             rule_spec.name +
                             "': multi-event conditions (all/any/not_all) are not supported yet");
        }
        rule_actions ra;
        for (const auto& a : rule_spec.actions) {
          try {
            ra.actions.push_back(actions::make_action(a.type, a.args));
            ra.args.push_back(a.args.is_null() ? value::object() : a.args);
            if (a.type != "none") ra.all_noop = false;
          } catch (const actions::action_error& e) {
            errors.push_back(rulebook::to_string(a.pos) + ": rule '" + rule_spec.name +
                             "': " + e.what());
          }
        }
        rules.push_back(std::move(r));
        rs->rule_actions_.push_back(std::move(ra));
      }
      rs->matcher.emplace(std::move(rules), spec.match_multiple_rules);

      for (const auto& src : spec.sources) {
        source_runtime sr;
        sr.name = src.name;
        sr.plugin = src.plugin;
        std::vector<std::unique_ptr<filters::event_filter>> chain;
        std::vector<std::string> chain_names;
        for (const auto& f : src.filters) {
          try {
            chain.push_back(make_filter(f, plugins));
            chain_names.push_back(f.name);
          } catch (const std::exception& e) {
            errors.push_back(rulebook::to_string(f.pos) + ": source '" + src.name + "': " +
                             e.what());
          }
        }
        const std::size_t rs_index = rulesets.size();
        const std::size_t src_index = rs->sources.size();
        ruleset_runtime& rs_ref = *rs;
        source_sink::hooks hooks;
        hooks.on_enqueued = [this, &rs_ref] { schedule_drain(rs_ref); };
        hooks.on_filter_error = [this, &rs_ref, src_index](const std::string& filter,
                                                           const std::string& error) {
          on_filter_error(rs_ref, src_index, filter, error);
        };
        sr.sink = std::make_unique<source_sink>(io, rs->queue, src.name, src.plugin,
                                                std::move(chain), std::move(chain_names),
                                                std::move(hooks));
        sources::source_env env;
        env.io = &io;
        env.sink = sr.sink.get();
        env.name = src.name;
        env.plugin = src.plugin;
        env.signals = &ha;
        env.done = [this, rs_index, src_index](sources::source_end end, const std::string& err) {
          on_source_done(rs_index, src_index, end, err);
        };
        try {
          sr.source = make_source(src, src.args, std::move(env), plugins).source;
        } catch (const std::exception& e) {
          errors.push_back(rulebook::to_string(src.pos) + ": source '" + src.name + "': " +
                           e.what());
          continue;
        }
        rs->sources.push_back(std::move(sr));
      }
      rulesets.push_back(std::move(rs));
    }
    if (!errors.empty()) {
      std::string all;
      for (const auto& e : errors) all += (all.empty() ? "" : "\n") + e;
      throw startup_error(all);
    }
  }

  // ---- running ----

  void schedule_drain(ruleset_runtime& rs) {
    if (rs.drain_scheduled) return;
    rs.drain_scheduled = true;
    asio::post(io, [this, &rs] { drain(rs); });
  }

  void drain(ruleset_runtime& rs) {
    rs.drain_scheduled = false;
    std::size_t done = 0;
    while (!rs.queue.events.empty() && done < drain_batch && !discard_queued) {
      process(rs, rs.queue.events.front());
      rs.queue.events.pop_front();
      ++done;
    }
    if (discard_queued) rs.queue.events.clear();
    if (rs.queue.has_room() && !rs.queue.waiting_producers.empty()) {
      auto waiting = std::move(rs.queue.waiting_producers);
      rs.queue.waiting_producers.clear();
      for (auto& resume : waiting) asio::post(io, std::move(resume));
    }
    if (!rs.queue.events.empty()) {
      schedule_drain(rs);
    } else {
      check_finished();
    }
  }

  void process(ruleset_runtime& rs, const value& event) {
    if (options.print_events) {
      const std::string line =
          event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
      std::fwrite(line.data(), 1, line.size(), stdout);
    }
    fired.clear();
    rs.matcher->on_event(event, fired);
    for (const std::size_t index : fired) fire(rs, index, event);
  }

  void fire(ruleset_runtime& rs, std::size_t index, const value& event) {
    const match::rule& rule = rs.matcher->rules()[index];
    rule_actions& ra = rs.rule_actions_[index];
    if (ra.all_noop && !audit) return;  // the hot path of `none`: nothing observable to do

    value matching = value::object();
    matching["m"] = event;
    actions::firing f;
    f.ruleset = rs.name;
    f.ruleset_uuid = rs.uuid;
    f.rule = rule.name;
    f.rule_uuid = rule.uuid;
    f.rule_run_at = utc_now_iso();
    f.matching_events = &matching;
    f.event = &event;
    for (std::size_t i = 0; i < ra.actions.size(); ++i) {
      actions::action& a = *ra.actions[i];
      const actions::action_result result = a.run(f, ra.args[i], services);
      if (!result.ok) {
        spdlog::error("ruleset '{}' rule '{}': action '{}' failed: {}", rs.name, rule.name,
                      a.audit_name(), result.error);
      }
      if (audit) write_audit(f, a, result);
      if (current != state::running && discard_queued) break;
    }
  }

  void write_audit(const actions::firing& f, const actions::action& a,
                   const actions::action_result& result) {
    value rec = value::object();
    rec["type"] = "Action";
    rec["action"] = a.audit_name();
    rec["action_uuid"] = uuid4();
    rec["ruleset"] = f.ruleset;
    rec["ruleset_uuid"] = f.ruleset_uuid;
    rec["rule"] = f.rule;
    rec["rule_uuid"] = f.rule_uuid;
    rec["rule_run_at"] = f.rule_run_at;
    rec["activation_id"] = options.id;
    rec["activation_instance_id"] = options.id;
    rec["run_at"] = utc_now_iso();
    rec["status"] = result.ok ? "successful" : "failed";
    rec["matching_events"] = *f.matching_events;
    if (!result.ok) rec["message"] = result.error;
    if (result.extra.is_object()) {
      for (auto it = result.extra.begin(); it != result.extra.end(); ++it) rec[it.key()] = it.value();
    }
    if (!audit->write(rec)) spdlog::error("cannot write to audit log '{}'", options.audit_log);
  }

  void on_source_done(std::size_t rs_index, std::size_t src_index, sources::source_end end,
                      const std::string& error) {
    source_runtime& sr = rulesets[rs_index]->sources[src_index];
    if (sr.ended) return;
    sr.ended = true;
    --sources_running;
    switch (end) {
      case sources::source_end::finished:
        spdlog::info("source '{}' ({}) of ruleset '{}' finished", sr.name, sr.plugin,
                     rulesets[rs_index]->name);
        break;
      case sources::source_end::stopped:
        spdlog::debug("source '{}' ({}) stopped", sr.name, sr.plugin);
        break;
      case sources::source_end::failed:
        source_failed = true;
        spdlog::error("source '{}' ({}) of ruleset '{}' failed: {}", sr.name, sr.plugin,
                      rulesets[rs_index]->name, error);
        break;
    }
    check_finished();
  }

  bool idle() const {
    if (sources_running > 0) return false;
    for (const auto& rs : rulesets)
      if (!rs->queue.events.empty()) return false;
    return true;
  }

  void check_finished() {
    if (current == state::stopped || !idle()) return;
    finish();
  }

  void finish() {
    current = state::stopped;
    signals.cancel();
    shutdown_deadline.cancel();
    io.stop();
  }

  void begin_shutdown(const std::string& why, double delay_seconds, bool now) {
    if (current != state::running) return;
    current = state::stopping;
    spdlog::info("shutting down: {}", why);
    for (auto& rs : rulesets)
      for (auto& sr : rs->sources)
        if (!sr.ended && sr.source) sr.source->stop();
    ha.shutdown.set();
    if (now) {
      finish();
      return;
    }
    shutdown_deadline.expires_after(std::chrono::milliseconds(static_cast<long>(delay_seconds * 1000)));
    shutdown_deadline.async_wait([this](const boost::system::error_code& ec) {
      if (ec || current == state::stopped) return;
      spdlog::warn("graceful shutdown took longer than its delay; stopping now");
      finish();
    });
    check_finished();
  }

  void watch_signals() {
    signals.async_wait([this](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      if (current == state::running) {
        begin_shutdown(signo == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)",
                       options.shutdown_delay, false);
        watch_signals();
      } else {
        spdlog::warn("second signal: stopping now");
        finish();
      }
    });
  }

  int run() {
    services.vars = &vars;
    services.request_shutdown = [this](const actions::shutdown_request& req) {
      discard_queued = true;
      begin_shutdown("rule '" + req.rule + "' in ruleset '" + req.ruleset +
                         "' requested it: " + req.message,
                     req.delay_seconds, req.kind == actions::shutdown_kind::now);
    };
    watch_signals();
    for (auto& rs : rulesets) {
      for (auto& sr : rs->sources) {
        ++sources_running;
        asio::post(io, [&sr] { sr.source->start(); });
      }
    }
    asio::post(io, [this] { check_finished(); });
    io.run();
    std::fflush(stdout);
    return source_failed ? 1 : 0;
  }
};

engine::engine(const cli_options& options, const rulebook::rulebook_model& model, value vars)
    : impl_(std::make_unique<impl>(options, std::move(vars))) {
  if (!options.audit_log.empty()) {
    try {
      impl_->audit = std::make_unique<actions::audit_log>(options.audit_log);
    } catch (const std::exception& e) {
      throw startup_error(e.what());
    }
  }
  impl_->build(model);
}

engine::~engine() = default;

int engine::run() { return impl_->run(); }

}  // namespace rb::app
