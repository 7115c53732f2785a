#include "app/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cctype>
#include <chrono>
#include <csignal>
#include <deque>
#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

#include "actions/action.h"
#include "actions/audit_log.h"
#include "actions/builtin_actions.h"
#include "actions/child_process.h"
#include "actions/controller_client.h"
#include "actions/dispatcher.h"
#include "actions/firing_job.h"
#include "actions/monitor_metrics.h"
#include "actions/variables.h"
#include "app/condition_compiler.h"
#include "app/early_signals.h"
#include "app/plugin_factory.h"
#include "app/process_stats.h"
#include "app/source_sink.h"
#include "app/status_page.h"
#include "condition/condition.h"
#include "core/canonical.h"
#include "core/clock.h"
#include "core/monitor_directory.h"
#include "core/uuid.h"
#include "filters/filter.h"
#include "ha/elector.h"
#include "ha/state_store.h"
#include "http/client.h"
#include "http/server.h"
#include "match/fact_store.h"
#include "match/ruleset_matcher.h"
#include "store/heartbeat_store.h"
#include "store/monitor_catalog_pg.h"

namespace rb::app {

namespace asio = boost::asio;

namespace {

// Events matched per turn of the loop before other work (sources, timers, signals) gets a go.
constexpr std::size_t drain_batch = 256;
// Firings of one ruleset waiting for their actions before the ruleset stops taking events from
// its queue (back-pressure reaches the sources through the queue).
constexpr std::size_t max_pending_jobs = 1024;

struct ruleset_runtime;

struct source_runtime {
  std::string name;
  std::string plugin;
  std::unique_ptr<sources::source> source;
  std::unique_ptr<sources::event_sink> sink;
  bool ended = false;
  bool failed_in_filter = false;  // a filter raised: the source is stopped and counts as failed
  bool builtin = false;           // HA: built-in sources start with the first leadership
  bool started = false;
};

struct ruleset_runtime {
  std::string name;
  std::string uuid;
  std::optional<match::ruleset_matcher> matcher;
  // Parallel to matcher->rules(); behind pointers because jobs keep references.
  std::vector<std::unique_ptr<actions::rule_info>> rules;
  std::vector<char> skip;          // only `none` actions and no audit log: nothing observable to do
  std::vector<char> noop_records;  // only `none` actions, audit log: records written inline
  std::vector<metric_counter*> matches;  // rulebook_rule_matches_total, per rule
  std::vector<source_runtime> sources;
  ruleset_queue queue;
  bool drain_scheduled = false;
  std::size_t lane = 0;
  std::unique_ptr<asio::steady_timer> timer;  // armed for the matcher's next deadline
  std::optional<match::time_point> armed;
};

match::throttle_spec to_match(const rulebook::throttle_spec& t) {
  match::throttle_spec out;
  if (t.once_within) {
    out.type = match::throttle_spec::kind::once_within;
    out.window = *t.once_within;
  } else if (t.once_after) {
    out.type = match::throttle_spec::kind::once_after;
    out.window = *t.once_after;
  } else if (t.accumulate_within) {
    out.type = match::throttle_spec::kind::accumulate_within;
    out.window = *t.accumulate_within;
    out.threshold = t.threshold.value_or(1);
  }
  out.group_by_attributes = t.group_by_attributes;
  return out;
}

}  // namespace

struct engine::impl {
  const cli_options& options;
  value vars;
  value masked_vars;
  rb::metrics metrics;  // first: everything below may hold its series
  // http_check's rulebook_monitor_* series (in `metrics`, so after it).
  actions::monitor_metrics monitor_metrics{metrics};
  asio::io_context io{1};
  asio::signal_set signals{io, SIGINT, SIGTERM};
  asio::steady_timer shutdown_deadline{io};
  asio::steady_timer children_wait{io};  // cancelled actions' child processes (run_playbook)
  sources::ha_signals ha{io};
  // Before the rulesets: their sources send through it, and go first.
  http::client http_client{io};
  // Listeners (webhook sources) are bound when their sources are built and close with them.
  http::server http_server{io};
  plugin_options plugins;
  // The monitors the status page lists: published by `monitors` sources, noted by http_check.
  monitor_directory monitor_dir;
  std::vector<std::unique_ptr<ruleset_runtime>> rulesets;
  std::unique_ptr<actions::audit_log> audit;
  std::unique_ptr<heartbeat_store> heartbeats;  // when a rule runs http_check, or asked for
  bool uses_http_check = false;
  actions::services services;
  actions::extra_actions extra_actions;
  actions::job_env env;
  // Declared after everything its jobs refer to (rules, matchers, env): destroyed first.
  std::unique_ptr<actions::dispatcher> dispatcher;
  std::vector<match::firing> firings;  // scratch of process(), reused per event

  // High availability (null without HA).
  std::unique_ptr<ha::elector> elector;
  std::unique_ptr<ha::state_store> store;
  bool acting_leader = false;  // leadership taken and state restored on the loop
  // Observe-only (docs/monitoring.md): leadership ended because the database went away. Sources
  // and checks go on in the last term; every other action is held until this worker leads again,
  // dropped once another worker is seen leading.
  bool observing = false;
  struct held_job {
    std::size_t lane;
    std::unique_ptr<actions::job> job;
  };
  std::deque<held_job> held;
  std::size_t held_dropped = 0;  // over max_held, oldest first
  static constexpr std::size_t max_held = 10000;
  leadership_term term;  // the term the loop acts in
  metric_counter* takeovers = nullptr;
  std::string leader_since;  // when this worker's current term began acting (ISO 8601 UTC)
  std::unique_ptr<http_listener> ops_listener;  // --http-port
  // The status page renders from the store's last summary: a page load never waits on the
  // database. The summary is read again when heartbeats land (the store reports its commits), at
  // most once per status_floor, and every status_max_age without them (a follower writes none;
  // the 24 h window moves on).
  static constexpr std::chrono::milliseconds status_max_age{10000};
  static constexpr std::chrono::milliseconds status_floor_min{1000};
  std::optional<status_summary> status_cache;
  std::chrono::steady_clock::time_point status_asked{};
  // 10 times the last summary's cost, within [status_floor_min, status_max_age]: a large
  // database is not read back to back.
  std::chrono::milliseconds status_floor = status_floor_min;
  bool status_pending = false;
  bool status_stale = false;  // heartbeats landed since the last summary was asked for
  asio::steady_timer status_timer{io};
  std::chrono::steady_clock::time_point status_timer_due{};  // {}: not set
  std::vector<std::function<void()>> waiting_for_leadership;
  bool ha_failed = false;

  enum class state { running, stopping, stopped };
  state current = state::running;
  bool discard_queued = false;  // `shutdown` action: queued events are dropped, as ansible does
  bool source_failed = false;
  bool finish_check_posted = false;
  std::size_t sources_running = 0;

  impl(const cli_options& o, value v) : options(o), vars(std::move(v)) {
    masked_vars = actions::mask_secrets(vars);
    plugins.source_dirs = o.source_dirs;
    plugins.filter_dirs = o.filter_dirs;
    plugins.lua.allow = o.lua_allow;
    plugins.lua.memory_limit = o.lua_memory_limit;
    if (o.ha_postgres_dsn.empty()) {
      ha.leader.set();  // without HA this engine is always the leader
    } else {
      ha.ha_mode = true;
      ha.follower.set();
      ha::settings hs;
      hs.dsn = o.ha_postgres_dsn;
      hs.ha_uuid = o.ha_uuid;
      hs.worker_id = o.ha_worker_id;
      hs.poll_interval = o.ha_poll_interval;
      hs.lease = o.ha_lease;
      hs.wait = o.ha_wait == "poll" ? ha::wait_mode::poll : ha::wait_mode::block;
      elector = std::make_unique<ha::elector>(hs, ha_callbacks());
      store = std::make_unique<ha::state_store>(hs);
    }
    dispatcher = std::make_unique<actions::dispatcher>(
        io, static_cast<std::size_t>(std::max(1, o.max_concurrent_actions)));
  }

  ruleset_runtime* find_ruleset(std::string_view name) {
    for (auto& rs : rulesets)
      if (rs->name == name) return rs.get();
    return nullptr;
  }

  // ---- building ----

  void on_filter_error(ruleset_runtime& rs, std::size_t source_index, const std::string& filter,
                       const std::string& error) {
    source_runtime& sr = rs.sources[source_index];
    if (sr.failed_in_filter) return;
    sr.failed_in_filter = true;
    source_failed = true;
    const std::string message = "filter '" + filter + "' failed: " + error;
    spdlog::error("source '{}' ({}) of ruleset '{}': {}; stopping the source", sr.name, sr.plugin,
                  rs.name, message);
    write_source_failure(rs, sr, message);
    if (sr.source && !sr.ended) sr.source->stop();
  }

  // One rule of the model as the matcher sees it; errors are appended.
  match::rule build_rule(const rulebook::rule_spec& rule_spec, std::vector<std::string>& errors) {
    match::rule r;
    r.name = rule_spec.name;
    r.uuid = uuid4();
    r.enabled = rule_spec.enabled;
    const auto& cond = rule_spec.condition;
    using ck = rulebook::condition_spec::kind;
    switch (cond.type) {
      case ck::boolean:
        r.kind = match::rule_kind::constant;
        r.constant = cond.boolean_value;
        break;
      case ck::single:
        r.kind = match::rule_kind::single;
        break;
      case ck::all:
        r.kind = match::rule_kind::all;
        break;
      case ck::any:
        r.kind = match::rule_kind::any;
        break;
      case ck::not_all:
        r.kind = match::rule_kind::not_all;
        break;
    }
    if (cond.type != ck::boolean) {
      for (const auto& text : cond.conditions) {
        auto compiled = compile_rule_condition(rule_spec, text, vars);
        if (auto* err = std::get_if<std::string>(&compiled)) {
          errors.push_back(*err);
        } else {
          r.conditions.push_back(std::move(std::get<condition::program>(compiled)));
        }
      }
    }
    r.timeout = cond.timeout;
    if (rule_spec.throttle) {
      const auto& t = *rule_spec.throttle;
      const std::string where = rulebook::to_string(t.pos) + ": rule '" + rule_spec.name + "'";
      if (r.kind != match::rule_kind::single) {
        errors.push_back(
            where + ": throttle works on single-condition rules only (not on " +
            (cond.type == ck::boolean ? std::string("true/false") : "all/any/not_all") + ")");
      }
      for (const auto& attr : t.group_by_attributes) {
        auto compiled = condition::compile_expression(attr);
        if (auto* err = std::get_if<condition::error>(&compiled))
          errors.push_back(where + ": throttle: group_by_attributes '" + attr +
                           "': " + err->message);
      }
      r.throttle = to_match(t);
    }
    return r;
  }

  std::unique_ptr<actions::rule_info> build_actions(const rulebook::rulebook_model& model,
                                                    const rulebook::ruleset_spec& spec,
                                                    const rulebook::rule_spec& rule_spec,
                                                    const match::rule& r,
                                                    const std::string& rs_uuid, bool& all_noop,
                                                    std::vector<std::string>& errors) {
    auto info = std::make_unique<actions::rule_info>();
    info->ruleset = spec.name;
    info->ruleset_uuid = rs_uuid;
    info->rule = r.name;
    info->rule_uuid = r.uuid;
    for (const auto& h : spec.hosts) info->hosts += (info->hosts.empty() ? "" : ",") + h;
    if (audit)
      info->audit_fields = actions::audit_log::rule_fields(info->ruleset, info->ruleset_uuid,
                                                           info->rule, info->rule_uuid);
    all_noop = true;
    for (const auto& a : rule_spec.actions) {
      const std::string where = rulebook::to_string(a.pos) + ": rule '" + rule_spec.name +
                                "' in ruleset '" + spec.name + "': action '" + a.type + "'";
      auto prepared = actions::prepare_action(a.type, a.args, &extra_actions);
      if (auto* err = std::get_if<std::string>(&prepared)) {
        errors.push_back(where + ": " + *err);
        continue;
      }
      if (actions::needs_ansible(a.type) && !ansible_found()) {
        errors.push_back(where +
                         ": needs 'ansible-playbook', which is not on PATH (install ansible-core)");
        continue;
      }
      if (a.type != "none") all_noop = false;
      if (a.type == "http_check") uses_http_check = true;
      if ((a.type == "run_job_template" || a.type == "run_workflow_template") &&
          options.controller.url.empty())
        errors.push_back(where +
                         ": needs the controller's url and credentials (--controller-url "
                         "and --controller-token, or their EDA_CONTROLLER_* variables)");
      // A ruleset named literally that does not exist fails at run time (as in ansible-rulebook);
      // say so now.
      if (a.args.is_object()) {
        auto it = a.args.find("ruleset");
        if (it != a.args.end() && it->is_string() &&
            !condition::needs_rendering(it->get_ref<const std::string&>())) {
          bool known = false;
          for (const auto& other : model.rulesets) known = known || other.name == *it;
          if (!known)
            spdlog::warn("{}: no ruleset named '{}'; the action will fail when the rule fires",
                         where, it->get<std::string>());
        }
      }
      auto& pa = std::get<actions::prepared_action>(prepared);
      const std::string audit_name(pa.act->audit_name());
      auto outcome = [&](const char* status) {
        return &metrics.counter("rulebook_actions_total", "Actions completed, by action and status",
                                {{"action", audit_name}, {"status", status}});
      };
      pa.outcome_ok = outcome("successful");
      pa.outcome_failed = outcome("failed");
      pa.outcome_not_run = outcome("not_run");
      info->actions.push_back(std::move(pa));
    }
    return info;
  }

  // ansible-playbook on PATH, looked up once (run_playbook, run_module).
  bool ansible_found() {
    if (!ansible_on_path) ansible_on_path = actions::on_path("ansible-playbook");
    return *ansible_on_path;
  }
  std::optional<bool> ansible_on_path;

  void build(const rulebook::rulebook_model& model) {
    std::vector<std::string> errors;
    for (const auto& spec : model.rulesets) {
      auto rs = std::make_unique<ruleset_runtime>();
      rs->name = spec.name;
      rs->uuid = uuid4();
      rs->timer = std::make_unique<asio::steady_timer>(io);
      // The ruleset's key wins; --execution-strategy only sets the default, as in ansible-rulebook.
      const bool parallel = spec.execution_strategy ? *spec.execution_strategy ==
                                                          rulebook::ruleset_spec::strategy::parallel
                                                    : options.execution_strategy == "parallel";
      rs->lane = dispatcher->add_lane(parallel);

      std::vector<match::rule> rules;
      const std::size_t errors_before = errors.size();
      for (const auto& rule_spec : spec.rules) {
        match::rule r = build_rule(rule_spec, errors);
        bool all_noop = true;
        rs->rules.push_back(build_actions(model, spec, rule_spec, r, rs->uuid, all_noop, errors));
        rs->matches.push_back(&metrics.counter("rulebook_rule_matches_total",
                                               "Rule firings, by ruleset and rule",
                                               {{"ruleset", spec.name}, {"rule", r.name}}));
        const bool skip = all_noop && !audit;
        r.silent = skip;
        r.raw_events = all_noop && audit;
        rs->skip.push_back(skip);
        rs->noop_records.push_back(all_noop && audit);
        rules.push_back(std::move(r));
      }
      if (errors.size() == errors_before) {
        try {
          rs->matcher.emplace(std::move(rules), match::matcher_options{spec.match_multiple_rules,
                                                                       spec.default_events_ttl});
          rs->queue.meta_at_arrival = rs->matcher->reads_meta() || options.print_events;
        } catch (const std::exception& e) {
          errors.push_back(rulebook::to_string(spec.pos) + ": ruleset '" + spec.name +
                           "': " + e.what());
        }
      }

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
            errors.push_back(rulebook::to_string(f.pos) + ": source '" + src.name +
                             "': " + e.what());
          }
        }
        const std::size_t rs_index = rulesets.size();
        const std::size_t src_index = rs->sources.size();
        ruleset_runtime& rs_ref = *rs;
        source_sink::hooks hooks;
        hooks.on_enqueued = [this, &rs_ref] { schedule_drain(rs_ref); };
        hooks.received = &metrics.counter("rulebook_events_received_total",
                                          "Events received from sources, before filters",
                                          {{"ruleset", spec.name}, {"source", src.name}});
        hooks.on_filter_error = [this, &rs_ref, src_index](const std::string& filter,
                                                           const std::string& error) {
          on_filter_error(rs_ref, src_index, filter, error);
        };
        if (elector) {
          hooks.may_deliver = [this] { return acting() || observing; };
          hooks.when_may_deliver = [this](std::function<void()> resume) {
            waiting_for_leadership.push_back(std::move(resume));
          };
        }
        sr.sink =
            std::make_unique<source_sink>(io, rs->queue, src.name, src.plugin, std::move(chain),
                                          std::move(chain_names), std::move(hooks));
        sources::source_env senv;
        senv.io = &io;
        senv.sink = sr.sink.get();
        senv.name = src.name;
        senv.plugin = src.plugin;
        senv.signals = &ha;
        senv.http = &http_client;
        senv.http_server = &http_server;
        senv.metrics = &metrics;
        senv.monitors = &monitor_dir;
        // `monitors` with datacenter_id/agent_id: config tables, by default in the HA database.
        senv.monitor_catalogs = store::pg_monitor_catalogs(
            options.ha_postgres_dsn,
            [this](std::function<void()> f) { asio::post(io, std::move(f)); });
        senv.done = [this, rs_index, src_index](sources::source_end end, const std::string& err) {
          on_source_done(rs_index, src_index, end, err);
        };
        try {
          auto made = make_source(src, src.args, std::move(senv), plugins);
          sr.source = std::move(made.source);
          sr.builtin = made.origin == "builtin";
        } catch (const std::exception& e) {
          errors.push_back(rulebook::to_string(src.pos) + ": source '" + src.name +
                           "': " + e.what());
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
    if (current == state::stopped) return;
    // A follower matches nothing; leadership drains again.
    if (elector && !acting() && !observing) return;
    // One clock reading per batch: the events of a batch are matched at the same instant.
    const match::time_point now = std::chrono::steady_clock::now();
    std::size_t done = 0;
    while (!rs.queue.events.empty() && done < drain_batch && !discard_queued &&
           current != state::stopped && dispatcher->pending(rs.lane) < max_pending_jobs) {
      process(rs, std::move(rs.queue.events.front()), now);
      rs.queue.events.pop_front();
      ++done;
    }
    if (discard_queued) rs.queue.events.clear();
    if (current == state::stopped) return;
    if (rs.queue.has_room() && !rs.queue.waiting_producers.empty()) {
      auto waiting = std::move(rs.queue.waiting_producers);
      rs.queue.waiting_producers.clear();
      for (auto& resume : waiting) asio::post(io, std::move(resume));
    }
    if (!rs.queue.events.empty()) {
      // Over the pending-jobs bound, on_job_done schedules the next drain.
      if (dispatcher->pending(rs.lane) < max_pending_jobs) schedule_drain(rs);
    } else {
      check_finished();
    }
  }

  void process(ruleset_runtime& rs, queued_event&& q, match::time_point now) {
    if (options.print_events) {  // meta was written on arrival (meta_at_arrival)
      const std::string line =
          q.event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
      std::fwrite(line.data(), 1, line.size(), stdout);
    }
    firings.clear();
    rs.matcher->on_event(std::move(q.event), q.meta, now, firings);
    if (!firings.empty()) run_firings(rs, firings);
    if (rs.armed || rs.matcher->may_have_deadline()) rearm(rs);
  }

  // Hands each firing's actions to the dispatcher. Re-entrant: actions (post_event, set_fact)
  // come back here with their own `out` vector.
  void run_firings(ruleset_runtime& rs, std::vector<match::firing>& out) {
    for (auto& f : out) {
      rs.matches[f.rule]->inc();
      if (rs.skip[f.rule]) continue;
      if (current == state::stopped) return;
      if (rs.noop_records[f.rule] && write_noop_records(rs, f)) continue;
      f.materialize();
      const auto events = f.events();
      auto job = std::make_unique<actions::firing_job>(
          *rs.rules[f.rule], std::vector<match::named_event>(events.begin(), events.end()), env);
      if (observing && !observes_only(*rs.rules[f.rule])) {
        hold(rs.lane, std::move(job));
        continue;
      }
      dispatcher->submit(rs.lane, std::move(job));
    }
  }

  static bool observes_only(const actions::rule_info& rule) {
    for (const auto& a : rule.actions)
      if (!actions::observes_only(a.type)) return false;
    return true;
  }

  void hold(std::size_t lane, std::unique_ptr<actions::job> job) {
    if (held.size() == max_held) {
      held.pop_front();
      if (held_dropped++ == 0)
        spdlog::warn("HA observe-only: more than {} held actions; dropping the oldest", max_held);
    }
    held.push_back({lane, std::move(job)});
  }

  // Observe-only ends: the held actions run now (this worker leads again) or never.
  void release_held(bool run, const char* why_not = "") {
    const std::size_t n = held.size();
    if (run) {
      for (auto& h : held) dispatcher->submit(h.lane, std::move(h.job));
      if (n) spdlog::info("HA: running {} action(s) held while observing", n);
    } else if (n) {
      spdlog::warn("HA: {} action(s) held while observing are dropped: {}", n, why_not);
    }
    if (held_dropped)
      spdlog::warn("HA: {} held action(s) were dropped while observing (over {})", held_dropped,
                   max_held);
    held.clear();
    held_dropped = 0;
  }

  // A rule of `none` actions with an audit log: nothing runs, so its records are written here,
  // from the events as the matcher gave them (meta still pending), the same records the job path
  // writes. Not when jobs of the lane are pending (records keep the order of firings) or HA
  // leadership is in doubt (the job path then reports the action as not run).
  bool write_noop_records(ruleset_runtime& rs, const match::firing& f) {
    if (dispatcher->pending(rs.lane) != 0 || (elector && !acting())) return false;
    const actions::rule_info& info = *rs.rules[f.rule];
    const iso_timestamp now = utc_now_stamp();
    auto r = actions::audit_record(info, env, "noop", now, now);
    r.raw_events = f.events();
    for (std::size_t i = 0; i < info.actions.size(); ++i) audit->append(r);
    return true;
  }

  void rearm(ruleset_runtime& rs) {
    const auto next = rs.matcher->next_deadline();
    if (next == rs.armed) return;
    rs.armed = next;
    if (!next) {
      rs.timer->cancel();
      return;
    }
    rs.timer->expires_at(*next);
    rs.timer->async_wait([this, &rs](const boost::system::error_code& ec) {
      if (ec) return;
      on_timer(rs);
    });
  }

  void on_timer(ruleset_runtime& rs) {
    rs.armed.reset();
    if (current == state::stopped) return;
    std::vector<match::firing> out;
    rs.matcher->on_time(std::chrono::steady_clock::now(), out);
    run_firings(rs, out);
    rearm(rs);
  }

  // ---- what actions call back ----

  std::string post_event(std::string_view ruleset, value&& event) {
    ruleset_runtime* rs = find_ruleset(ruleset);
    if (!rs) return "unknown ruleset '" + std::string(ruleset) + "'";
    if (current == state::stopped) return {};
    static const event_source* const posted = intern_event_source("post_event", "internal");
    wrap_payload(event);
    pending_meta meta = meta_now(posted);
    if (rs->queue.meta_at_arrival) render_meta(event, meta);
    std::vector<match::firing> out;
    rs->matcher->on_event(std::move(event), meta, std::chrono::steady_clock::now(), out);
    run_firings(*rs, out);
    rearm(*rs);
    return {};
  }

  std::string set_fact(std::string_view ruleset, value&& fact) {
    ruleset_runtime* rs = find_ruleset(ruleset);
    if (!rs) return "unknown ruleset '" + std::string(ruleset) + "'";
    if (current == state::stopped) return {};
    static const event_source* const set = intern_event_source("set_fact", "internal");
    wrap_payload(fact);
    pending_meta meta = meta_now(set);
    // HA stores the whole fact; otherwise meta is written when the fact is shown (as events').
    if (rs->queue.meta_at_arrival || store) render_meta(fact, meta);
    if (store) {
      store->put(term, rs->name, "fact", canonical_key(fact),
                 fact.dump(-1, ' ', false, value::error_handler_t::replace));
    }
    std::vector<match::firing> out;
    rs->matcher->assert_fact(std::move(fact), meta, std::chrono::steady_clock::now(), out);
    run_firings(*rs, out);
    rearm(*rs);
    return {};
  }

  std::string retract_fact(std::string_view ruleset, const value& fact, bool partial) {
    ruleset_runtime* rs = find_ruleset(ruleset);
    if (!rs) return "unknown ruleset '" + std::string(ruleset) + "'";
    if (store && !partial) {
      store->put(term, rs->name, "fact", canonical_key(fact), {});  // the key of its equal
    } else if (store) {
      // The facts a partial retraction removes, found before it removes them.
      for (const auto& f : rs->matcher->facts())
        if (match::fact_contains(*f, fact))
          store->put(term, rs->name, "fact", canonical_key(*f), {});
    }
    const std::size_t n = rs->matcher->retract_fact(fact, partial);
    spdlog::debug("ruleset '{}': retract_fact removed {} fact(s)", rs->name, n);
    return {};
  }

  value facts_of(std::string_view ruleset) {
    ruleset_runtime* rs = find_ruleset(ruleset);
    if (!rs) return nullptr;
    value out = value::array();
    for (const auto& f : rs->matcher->facts()) out.push_back(*f);
    return out;
  }

  // ---- ending ----

  void write_source_failure(const ruleset_runtime& rs, const source_runtime& sr,
                            const std::string& message) {
    if (!audit) return;
    value rec = value::object();
    rec["type"] = "Source";
    rec["status"] = "failed";
    rec["ruleset"] = rs.name;
    rec["ruleset_uuid"] = rs.uuid;
    rec["source"] = sr.name;
    rec["plugin"] = sr.plugin;
    rec["message"] = message;
    rec["activation_id"] = options.id;
    rec["activation_instance_id"] = options.id;
    rec["run_at"] = utc_now_iso();
    if (elector) {
      rec["worker_id"] = elector->worker_id();
      rec["ha_epoch"] = term.epoch;
    }
    audit->append(rec);
  }

  void on_source_done(std::size_t rs_index, std::size_t src_index, sources::source_end end,
                      const std::string& error) {
    ruleset_runtime& rs = *rulesets[rs_index];
    source_runtime& sr = rs.sources[src_index];
    if (sr.ended) return;
    sr.ended = true;
    --sources_running;
    switch (end) {
      case sources::source_end::finished:
        spdlog::info("source '{}' ({}) of ruleset '{}' finished", sr.name, sr.plugin, rs.name);
        break;
      case sources::source_end::stopped:
        spdlog::debug("source '{}' ({}) stopped", sr.name, sr.plugin);
        break;
      case sources::source_end::failed:
        source_failed = true;
        spdlog::error("source '{}' ({}) of ruleset '{}' failed: {}", sr.name, sr.plugin, rs.name,
                      error);
        write_source_failure(rs, sr, error);
        break;
    }
    check_finished();
  }

  void on_job_done(std::size_t lane) {
    for (auto& rs : rulesets) {
      if (rs->lane != lane) continue;
      if (!rs->queue.events.empty()) schedule_drain(*rs);
    }
    if (dispatcher->idle() && !finish_check_posted) {
      finish_check_posted = true;
      asio::post(io, [this] {
        finish_check_posted = false;
        check_finished();
      });
    }
  }

  bool idle() const {
    if (sources_running > 0 || !dispatcher->idle()) return false;
    for (const auto& rs : rulesets)
      if (!rs->queue.events.empty()) return false;
    return true;
  }

  void check_finished() {
    if (current == state::stopped || !idle()) return;
    finish();
  }

  void finish() {
    if (!held.empty() || held_dropped) release_held(false, "the engine stops");
    if (ops_listener) ops_listener->close();
    current = state::stopped;
    signals.cancel();
    shutdown_deadline.cancel();
    for (auto& rs : rulesets) rs->timer->cancel();
    io.stop();
  }

  // Stops every source of every ruleset. `graceful`: queued work and running actions may finish
  // within `delay_seconds`, then whatever still runs is cancelled; `now`: cancel at once.
  void begin_shutdown(const std::string& why, double delay_seconds, bool now) {
    if (current != state::running) {
      spdlog::debug("a shutdown is already in progress; ignoring: {}", why);
      return;
    }
    current = state::stopping;
    spdlog::info("shutting down: {}", why);
    for (auto& rs : rulesets) {
      for (auto& sr : rs->sources) {
        if (sr.ended || !sr.source) continue;
        if (!sr.started) {  // HA: a built-in source that never had a term
          sr.ended = true;
          --sources_running;
          continue;
        }
        sr.source->stop();
      }
    }
    ha.shutdown.set();
    if (now) {
      cancel_and_finish();
      return;
    }
    shutdown_deadline.expires_after(
        std::chrono::milliseconds(static_cast<long>(delay_seconds * 1000)));
    shutdown_deadline.async_wait([this](const boost::system::error_code& ec) {
      if (ec || current == state::stopped) return;
      if (!dispatcher->idle())
        spdlog::warn("graceful shutdown: {} action(s) still running after the delay; cancelling",
                     dispatcher->running());
      else
        spdlog::warn("graceful shutdown took longer than its delay; stopping now");
      cancel_and_finish();
    });
    check_finished();
  }

  // Cancels every running action (run_playbook writes its `cancelled` record and sends its
  // child SIGTERM, SIGKILL after a grace period), then stops the loop once those children are
  // gone (polled, never a blocking wait), or after children_wait_limit. Nothing new starts
  // meanwhile.
  static constexpr std::chrono::seconds children_wait_limit{8};
  void cancel_and_finish() {
    dispatcher->cancel_all();
    if (actions::child_process::live() == 0) {
      finish();
      return;
    }
    current = state::stopped;
    spdlog::info("waiting for {} child process(es) to stop", actions::child_process::live());
    wait_for_children(std::chrono::steady_clock::now() + children_wait_limit);
  }

  void wait_for_children(std::chrono::steady_clock::time_point limit) {
    if (actions::child_process::live() == 0 || std::chrono::steady_clock::now() >= limit) {
      if (actions::child_process::live() > 0)
        spdlog::warn("{} child process(es) still running; they are killed on exit",
                     actions::child_process::live());
      finish();
      return;
    }
    children_wait.expires_after(std::chrono::milliseconds(20));
    children_wait.async_wait([this, limit](const boost::system::error_code& ec) {
      if (ec || io.stopped()) return;
      wait_for_children(limit);
    });
  }

  void watch_signals() {
    signals.async_wait([this](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      if (current == state::running) {
        stop_on_signal(signo);
        watch_signals();
      } else {
        spdlog::warn("second signal: stopping now");
        dispatcher->cancel_all();
        finish();  // children still running are killed (SIGKILL) and reaped on exit
      }
    });
  }

  void stop_on_signal(int signo) {
    begin_shutdown(signo == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)",
                   options.shutdown_delay, false);
  }

  void wire_services() {
    services.vars = &vars;
    services.executor = io.get_executor();
    services.shutdown_delay = options.shutdown_delay;
    services.inventory = options.inventory;
    {
      std::error_code ec;
      services.rulebook_dir =
          std::filesystem::absolute(options.rulebook, ec).parent_path().lexically_normal().string();
    }
    services.request_shutdown = [this](const actions::shutdown_request& req) {
      discard_queued = true;
      begin_shutdown(
          "rule '" + req.rule + "' in ruleset '" + req.ruleset + "' requested it: " + req.message,
          req.delay_seconds, req.kind == actions::shutdown_kind::now);
    };
    services.post_event = [this](std::string_view rs, value&& e) {
      return post_event(rs, std::move(e));
    };
    services.set_fact = [this](std::string_view rs, value&& f) {
      return set_fact(rs, std::move(f));
    };
    services.retract_fact = [this](std::string_view rs, const value& f, bool partial) {
      return retract_fact(rs, f, partial);
    };
    services.facts = [this](std::string_view rs) { return facts_of(rs); };
    services.http = &http_client;
    services.worker_id = elector ? elector->worker_id() : ha::default_worker_id();
    services.datacenter = options.datacenter;
    services.region = options.region;
    services.check_source_address = options.check_source_address;
    services.metrics = &metrics;
    services.check_metrics = &monitor_metrics;
    services.controller = &options.controller;
    if (!options.controller.url.empty())
      actions::log_controller_version(options.controller, http_client);
    services.monitors = &monitor_dir;
    monitor_dir.set_default_datacenter(options.datacenter);
    if (elector) services.ha = elector.get();
    env.svc = &services;
    env.vars = &vars;
    env.masked_vars = &masked_vars;
    env.audit = audit.get();
    if (audit) {
      // Records of one loop turn go out together, at its end.
      audit->on_pending([this] { asio::post(io, [this] { audit->flush(); }); });
    }
    env.activation_id = options.id;
    dispatcher->on_job_done = [this](std::size_t lane) { on_job_done(lane); };
    if (elector) {
      env.ha = elector.get();
      dispatcher->may_start = [this](const actions::job& j, std::size_t step) {
        return acting() || (observing && j.observes_only(step));
      };
    }
  }

  int run() {
    for (auto& rs : rulesets) {
      for (auto& sr : rs->sources) {
        ++sources_running;
        // HA: built-in sources know nothing of leadership; they start with the first term, but
        // servers (webhook) answer from the start: 503 until this worker leads.
        if (elector && sr.builtin && !sr.source->starts_before_leadership()) continue;
        sr.started = true;
        asio::post(io, [&sr] { sr.source->start(); });
      }
    }
    asio::post(io, [this] { check_finished(); });
    // A signal during start-up stops the run the same way, once its sources have started: first
    // one caught by main's early handler, then those `signals` queued while the engine was built
    // (its waits complete in order, after what is posted above).
    if (const int signo = take_early_signal())
      asio::post(io, [this, signo] { stop_on_signal(signo); });
    watch_signals();
    if (elector) {
      for (auto& rs : rulesets) watch_throttles(*rs);
      store->start();
      elector->start();
    }
    if (heartbeats) heartbeats->start();
    io.run();
    std::fflush(stdout);
    if (audit) audit->sync();
    if (heartbeats) {
      // What the checks wrote is committed, or in the spool for the next run.
      if (!heartbeats->flush(std::chrono::seconds(10)))
        spdlog::warn(
            "heartbeats: the store did not finish within 10 s; the rest goes to the spool");
      heartbeats->stop();
    }
    if (elector) {
      // Hand over: what the last term wrote is committed (or refused), then the lock goes and a
      // follower takes over at once.
      if (!store->flush(elector->times().lease))
        spdlog::warn("HA: some fact writes were not committed before the shutdown");
      store->stop();
      elector->stop(true);
    }
    if (ha_failed) return 1;
    return source_failed ? 1 : 0;
  }

  // ---- heartbeats ----

  // http_check's store: the one asked for, else the HA database (the fence needs the heartbeats
  // and the epochs in one database), else the embedded SQLite file.
  void open_heartbeats() {
    if (!uses_http_check && options.heartbeat_store.empty()) return;
    std::string spec = options.heartbeat_store;
    if (spec.empty()) spec = elector ? options.ha_postgres_dsn : "sqlite:heartbeats.db";
    store_options so;
    so.spool_dir = options.heartbeat_spool_dir;
    if (so.spool_dir.empty() && elector) {
      // Workers of a group often share a directory: one spool each, found again by the same
      // --ha-worker-id after a restart.
      std::string id = services.worker_id;
      for (char& ch : id)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_' && ch != '.')
          ch = '_';
      so.spool_dir = "heartbeat-spool/" + id;
    }
    so.worker_id = services.worker_id;
    if (elector && spec.rfind("sqlite:", 0) != 0) so.ha_uuid = options.ha_uuid;
    if (options.http_port >= 0)
      so.on_written = [this] { asio::post(io, [this] { heartbeats_landed(); }); };
    so.retention =
        std::chrono::seconds(static_cast<long long>(options.heartbeat_retention_days * 86400.0));
    try {
      heartbeats = open_heartbeat_store(spec, so);
    } catch (const std::exception& e) {
      throw startup_error(std::string("heartbeat store: ") + e.what());
    }
    spdlog::info("heartbeats go to {}", heartbeats->describe());
    services.heartbeats = heartbeats.get();
  }

  // ---- metrics (read at scrape time, on the loop) ----

  void register_metrics() {
    using k = rb::metrics::kind;
    metrics.callback("rulebook_build_info", "The running version", k::gauge,
                     {{"version", RB_VERSION}}, [] { return 1.0; });
    metrics.callback("process_start_time_seconds", "Start time of the process, Unix seconds",
                     k::gauge, {}, [start = process_start_seconds()] { return start; });
    metrics.callback("process_resident_memory_bytes", "Resident memory", k::gauge, {},
                     [] { return static_cast<double>(resident_bytes()); });
    metrics.callback("process_cpu_seconds_total", "User and system CPU time", k::counter, {},
                     [] { return cpu_seconds(); });
    for (auto& rs : rulesets) {
      metrics.callback("rulebook_queue_events", "Events waiting in a ruleset's queue", k::gauge,
                       {{"ruleset", rs->name}},
                       [q = &rs->queue] { return static_cast<double>(q->events.size()); });
      for (auto& sr : rs->sources) {
        if (!sr.source->reports_memory()) continue;
        metrics.callback("rulebook_lua_memory_bytes", "Memory a Lua source's state holds", k::gauge,
                         {{"ruleset", rs->name}, {"source", sr.name}},
                         [s = sr.source.get()] { return static_cast<double>(s->memory_bytes()); });
      }
    }
    metrics.callback("rulebook_actions_running", "Actions started and not completed", k::gauge, {},
                     [this] { return static_cast<double>(dispatcher->running()); });
    if (elector) {
      metrics.callback("rulebook_ha_leader", "1 while this worker is the trusted leader", k::gauge,
                       {}, [this] { return acting() ? 1.0 : 0.0; });
      metrics.callback("rulebook_ha_observing",
                       "1 while this worker checks in observe-only mode (database away)", k::gauge,
                       {}, [this] { return observing ? 1.0 : 0.0; });
      metrics.callback("rulebook_ha_epoch", "The epoch of this worker's last term", k::gauge, {},
                       [this] { return static_cast<double>(term.epoch); });
      takeovers = &metrics.counter("rulebook_ha_takeovers_total",
                                   "Terms this worker began (leadership acquired)");
    }
    if (heartbeats) {
      auto stat = [this](std::uint64_t heartbeat_stats::*field) {
        return [this, field] { return static_cast<double>(heartbeats->stats().*field); };
      };
      metrics.callback("rulebook_heartbeats_written_total", "Heartbeats committed to the store",
                       k::counter, {}, stat(&heartbeat_stats::written));
      metrics.callback("rulebook_heartbeats_duplicates_total",
                       "Heartbeats the store already had (replays, retries)", k::counter, {},
                       stat(&heartbeat_stats::duplicates));
      metrics.callback("rulebook_heartbeats_rejected_total",
                       "Heartbeats refused by the HA fence (a stale leader's checks)", k::counter,
                       {}, stat(&heartbeat_stats::rejected));
      metrics.callback("rulebook_heartbeats_dropped_total",
                       "Heartbeats lost because the spool was full", k::counter, {},
                       stat(&heartbeat_stats::dropped));
      metrics.callback("rulebook_heartbeat_spool_heartbeats",
                       "Heartbeats waiting in the spool for the database", k::gauge, {},
                       stat(&heartbeat_stats::spooled));
      metrics.callback("rulebook_heartbeat_spool_bytes", "Size of the spool", k::gauge, {},
                       stat(&heartbeat_stats::spool_bytes));
    }
  }

  // ---- the operability server (--http-port; docs/operations.md) ----

  void open_operability_server() {
    if (options.http_port < 0) return;
    http_listen_options lo;
    lo.name = "--http-port";
    lo.host = options.http_host;
    lo.port = static_cast<unsigned short>(options.http_port);
    lo.max_body_size = 64 << 10;
    try {
      ops_listener = http_server.listen(lo);
    } catch (const std::exception& e) {
      throw startup_error(std::string("--http-port: ") + e.what());
    }
    auto live = [](const http_server_request&, http_server_response& res) {
      // Answering at all says the loop runs: the handler runs on it.
      res.content_type = "application/json";
      res.body = R"({"status":"alive"})";
    };
    ops_listener->route("/health/live", live);
    ops_listener->route("/healthz", live);
    ops_listener->route("/health/ready",
                        [this](const http_server_request&, http_server_response& res) {
                          const bool ready = current == state::running && (!elector || acting());
                          value v = {{"status", ready ? "ready" : "not ready"}, {"role", role()}};
                          if (elector) {
                            v["worker_id"] = elector->worker_id();
                            v["epoch"] = term.epoch;
                            v["leader_since"] = acting() ? value(leader_since) : value(nullptr);
                          }
                          res.status = ready ? 200 : 503;
                          res.content_type = "application/json";
                          res.body = v.dump();
                        });
    ops_listener->route("/metrics", [this](const http_server_request&, http_server_response& res) {
      res.content_type = "text/plain; version=0.0.4; charset=utf-8";
      res.body = metrics.render();
    });
    ops_listener->route("/", [this](const http_server_request&, http_server_response& res) {
      refresh_status();
      status_page_info info;
      info.role = role();
      if (elector) {
        info.worker_id = elector->worker_id();
        info.epoch = static_cast<std::int64_t>(term.epoch);
      }
      info.generated_at_us = utc_now_us();
      info.has_store = heartbeats != nullptr;
      res.content_type = "text/html; charset=utf-8";
      res.body = render_status_page(status_cache, info, monitor_dir.all());
    });
    refresh_status();  // answered once the store starts: the first visit has data
    spdlog::info("operability server on http://{}:{}/ (status, health, metrics)", options.http_host,
                 ops_listener->port());
  }

  // On the loop, after the store committed heartbeats: the summary no longer has them.
  void heartbeats_landed() {
    status_stale = true;
    refresh_status();
  }

  // Asks the store for a new summary when it is due and none is on its way; else sets the timer
  // for when it is due.
  void refresh_status() {
    if (!heartbeats || !ops_listener || status_pending || current == state::stopped) return;
    const auto now = std::chrono::steady_clock::now();
    const auto due = status_asked + (status_stale ? status_floor : status_max_age);
    if (status_cache && now < due) {
      if (status_timer_due != decltype(status_timer_due){} && status_timer_due <= due) return;
      status_timer_due = due;
      status_timer.expires_at(due);  // cancels a later one
      status_timer.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        status_timer_due = {};
        refresh_status();
      });
      return;
    }
    status_timer.cancel();
    status_timer_due = {};
    status_pending = true;
    status_stale = false;
    status_asked = now;
    heartbeats->request_status_summary([this](status_summary s) {
      asio::post(io, [this, s = std::move(s)]() mutable {
        const auto cost = std::chrono::milliseconds(static_cast<std::int64_t>(s.took_ms * 10));
        status_floor = std::clamp(cost, status_floor_min, status_max_age);
        status_cache = std::move(s);
        status_pending = false;
        refresh_status();  // the timer for the next one
      });
    });
  }

  std::string role() const {
    if (current != state::running) return "stopping";
    if (!elector) return "standalone";
    if (acting()) return "leader";
    return observing ? "observing" : "follower";
  }

  // ---- high availability ----

  bool acting() const noexcept { return acting_leader && elector->trusted_now(); }

  ha::elector::callbacks ha_callbacks() {
    ha::elector::callbacks cb;
    cb.on_leader = [this](const leadership_term& t) {
      asio::post(io, [this, t] { on_leader(t); });
    };
    cb.on_follower = [this](const std::string& reason, bool unreachable) {
      asio::post(io, [this, reason, unreachable] { on_follower(reason, unreachable); });
    };
    cb.on_standing_by = [this] { asio::post(io, [this] { on_standing_by(); }); };
    cb.on_fatal = [this](const std::string& error) {
      asio::post(io, [this, error] {
        ha_failed = true;
        spdlog::debug("high availability cannot work: {}", error);
        begin_shutdown("HA failed", 0, true);
      });
    };
    return cb;
  }

  void on_leader(const leadership_term& t) {
    if (current != state::running) return;
    term = t;
    // The facts and throttle windows the group had, before any source of this term runs.
    store->load([this, t](std::vector<ha::stored_item> items, std::string error) {
      asio::post(io, [this, t, items = std::move(items), error = std::move(error)]() mutable {
        restore_and_lead(t, std::move(items), error);
      });
    });
  }

  // Every change of a throttle window is written through, keyed by rule and group.
  void watch_throttles(ruleset_runtime& rs) {
    rs.matcher->on_throttle_change([this, &rs](std::size_t rule, const std::string& group,
                                               long count, match::time_point end) {
      const auto& name = rs.matcher->rules()[rule].name;
      const auto end_wall = std::chrono::system_clock::now() +
                            std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                end - std::chrono::steady_clock::now());
      value v = {{"rule", name},
                 {"group", group},
                 {"count", count},
                 {"end_ms",
                  std::chrono::duration_cast<std::chrono::milliseconds>(end_wall.time_since_epoch())
                      .count()}};
      store->put(term, rs.name, "throttle", name + '\x1f' + group,
                 v.dump(-1, ' ', false, value::error_handler_t::replace));
    });
  }

  void restore_and_lead(const leadership_term& t, std::vector<ha::stored_item> items,
                        const std::string& error) {
    if (current != state::running || term.token != t.token || !elector->trusted_now()) return;
    if (!error.empty()) {
      spdlog::warn("HA: cannot load the group's state ({}); retrying", error);
      on_leader(t);
      return;
    }
    // Facts are replaced by the group's: this worker may have led before with older ones.
    // Restoring fires no rule: the facts are there for joins and later matches.
    std::vector<match::firing> ignored;
    const auto now = std::chrono::steady_clock::now();
    for (auto& rs : rulesets) {
      for (const auto& f : rs->matcher->facts()) rs->matcher->retract_fact(*f, false);
    }
    std::size_t restored = 0, windows = 0;
    const auto wall_now = std::chrono::system_clock::now();
    for (auto& item : items) {
      ruleset_runtime* rs = find_ruleset(item.ruleset);
      if (!rs) continue;
      value v = value::parse(item.json, nullptr, false);
      if (v.is_discarded()) continue;
      if (item.kind == "fact") {
        ignored.clear();
        rs->matcher->assert_fact(std::move(v), now, ignored);
        ++restored;
      } else if (item.kind == "throttle" && v.is_object()) {
        // Windows travel in wall-clock time; the matcher keeps them on the monotonic clock.
        const auto end_wall = std::chrono::system_clock::time_point(
            std::chrono::milliseconds(v.value("end_ms", std::int64_t{0})));
        if (end_wall <= wall_now) continue;
        const auto& rules = rs->matcher->rules();
        const std::string rule_name = v.value("rule", "");
        for (std::size_t r = 0; r < rules.size(); ++r) {
          if (rules[r].name != rule_name) continue;
          rs->matcher->restore_throttle(
              r, v.value("group", ""), v.value("count", 0L),
              now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(end_wall -
                                                                                    wall_now));
          ++windows;
        }
      }
    }
    if (restored || windows)
      spdlog::info("HA: restored {} fact(s) and {} throttle window(s) of the group (epoch {})",
                   restored, windows, t.epoch);
    acting_leader = true;
    if (takeovers) takeovers->inc();
    leader_since = utc_now_iso();
    if (observing) {
      observing = false;
      spdlog::info("HA: observe-only ends: this worker leads again (epoch {})", t.epoch);
    }
    ha.follower.clear();
    ha.leader.set();
    for (auto& rs : rulesets) {
      for (auto& sr : rs->sources) {
        if (sr.started || sr.ended) continue;
        sr.started = true;
        sr.source->start();
      }
      schedule_drain(*rs);
    }
    auto waiting = std::move(waiting_for_leadership);
    waiting_for_leadership.clear();
    for (auto& resume : waiting) asio::post(io, std::move(resume));
    release_held(true);
  }

  void on_follower(const std::string& reason, bool unreachable) {
    if (acting_leader && unreachable && uses_http_check && current == state::running) {
      acting_leader = false;
      // The group may just be down: monitoring must not stop with it. The heartbeats carry this
      // term's epoch; the store's fence keeps those whose check started before another term began.
      observing = true;
      spdlog::warn(
          "HA: observe-only: checks go on in epoch {} (their heartbeats are kept unless another "
          "worker took over meanwhile); other actions wait until this worker leads again",
          term.epoch);
      // Sources the lapsed lease paused, and queues it left undrained, go on.
      auto waiting = std::move(waiting_for_leadership);
      waiting_for_leadership.clear();
      for (auto& resume : waiting) asio::post(io, std::move(resume));
      for (auto& rs : rulesets) schedule_drain(*rs);
      return;
    }
    stand_down(reason);
  }

  // A working session saw another worker holding the lock.
  void on_standing_by() {
    if (!observing) return;
    stand_down("another worker leads");
  }

  void stand_down(const std::string& reason) {
    const bool was = acting_leader || observing;
    acting_leader = false;
    if (observing) {
      observing = false;
      spdlog::warn("HA: observe-only ends: another worker leads");
      release_held(false, "another worker leads");
    }
    ha.leader.clear();
    ha.follower.set();
    if (!was || current == state::stopped) return;
    std::size_t dropped = 0;
    for (auto& rs : rulesets) {
      dropped += rs->queue.events.size();
      rs->queue.events.clear();
    }
    if (dropped)
      spdlog::warn("HA: {} queued event(s) dropped with leadership ({})", dropped, reason);
    if (!dispatcher->idle()) dispatcher->cancel_all();
  }
};

engine::engine(const cli_options& options, const rulebook::rulebook_model& model, value vars,
               actions::extra_actions extra)
    : impl_(std::make_unique<impl>(options, std::move(vars))) {
  impl_->extra_actions = std::move(extra);
  if (!options.audit_log.empty()) {
    try {
      impl_->audit = std::make_unique<actions::audit_log>(options.audit_log);
    } catch (const std::exception& e) {
      throw startup_error(e.what());
    }
  }
  impl_->wire_services();
  impl_->build(model);
  impl_->open_heartbeats();
  impl_->register_metrics();
  impl_->open_operability_server();
}

engine::~engine() = default;

int engine::run() { return impl_->run(); }

}  // namespace rb::app
