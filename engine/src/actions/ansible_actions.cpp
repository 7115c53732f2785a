// `run_playbook` and `run_module`: ansible-playbook as a child process of the event loop
// (docs/actions.md#run_playbook).
//
// Each run gets a private temporary directory (removed afterwards) with the extra variables as
// JSON (`-e @extravars.json`: the rulebook's variables, then the rendered `extra_vars`, then
// `ansible_eda: {ruleset, rule, event | events}`) and, for run_module, a generated one-task
// playbook (the module's task, `register`ed, then a cacheable set_fact of the result, as
// ansible-rulebook's wrapper does). ansible-playbook gets `-i` when the engine has an inventory,
// `-v` per verbosity level and `--limit` from the event's `meta.hosts`. Our callback plugin
// (share/rulebook/ansible/callback_plugins/rulebook_events.py) writes each playbook event as a
// JSON line to the child's fd 3: json_mode prints them on stdout, and the last set_fact's facts
// or set_stats' data become the fact or event that set_facts / post_events send back, as
// ansible-rulebook does with ansible-runner's events.
//
// Outcomes (audit fields playbook_name, job_id, rc, status): successful (rc 0), failed (rc != 0,
// a playbook that cannot be found, no host matched without -i), timeout (`timeout` seconds, our
// addition), cancelled (the engine stopped it: SIGTERM, SIGKILL after kill_grace). `retries` /
// `retry` re-run a failed run after `delay` seconds.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <unordered_map>

#include "actions/builtin_actions.h"
#include "actions/child_process.h"
#include "core/clock.h"
#include "core/uuid.h"

namespace rb::actions {

namespace fs = std::filesystem;

namespace {

constexpr std::chrono::milliseconds kill_grace{5000};
constexpr const char* module_output_key = "module_result";
constexpr std::size_t tail_lines = 8;

// Where our callback plugin lives: $RULEBOOK_ANSIBLE_DIR/callback_plugins, next to the binary
// (../share/rulebook/ansible, share/rulebook/ansible), then the source tree. Empty: not found.
const std::string& callback_dir() {
  static const std::string dir = [] {
    std::vector<fs::path> candidates;
    if (const char* env = std::getenv("RULEBOOK_ANSIBLE_DIR"); env && *env)
      candidates.emplace_back(env);
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
      candidates.push_back(exe.parent_path() / ".." / "share" / "rulebook" / "ansible");
      candidates.push_back(exe.parent_path() / "share" / "rulebook" / "ansible");
    }
#ifdef RB_ANSIBLE_DIR
    candidates.emplace_back(RB_ANSIBLE_DIR);
#endif
    for (const auto& c : candidates) {
      const fs::path p = c / "callback_plugins" / "rulebook_events.py";
      if (fs::is_regular_file(p, ec)) return fs::weakly_canonical(p.parent_path(), ec).string();
    }
    return std::string();
  }();
  return dir;
}

bool looks_like_fqcn(const std::string& name) {
  if (name.find('/') != std::string::npos) return false;
  int dots = 0;
  for (char c : name) dots += c == '.';
  return dots >= 2;
}

std::string join_env(const char* name, const std::string& first, char sep) {
  const char* old = std::getenv(name);
  if (!old || !*old) return first;
  return first + sep + old;
}

// The hosts ansible-rulebook limits a run to: the event's meta.hosts (all events' for a
// multi-event firing); empty when none says.
std::string host_limit(const firing& f) {
  std::vector<std::string> hosts;
  auto add = [&](const value& e) {
    if (!e.is_object()) return;
    auto m = e.find("meta");
    if (m == e.end() || !m->is_object()) return;
    auto h = m->find("hosts");
    if (h == m->end()) return;
    if (h->is_string()) {
      hosts.push_back(h->get<std::string>());
    } else if (h->is_array()) {
      for (const auto& x : *h)
        if (x.is_string()) hosts.push_back(x.get<std::string>());
    }
  };
  if (f.event) add(*f.event);
  if (f.events && f.events->is_object())
    for (const auto& [k, e] : f.events->items()) add(e);
  std::string out;
  for (const auto& h : hosts) out += (out.empty() ? "" : ",") + h;
  return out;
}

struct settings {
  std::string name;           // as written (playbook path or FQCN; module FQCN)
  std::string playbook;       // what ansible-playbook runs
  std::string playbook_name;  // the audit record's playbook_name
  value extra_vars = value::object();
  value module_args = nullptr;
  int verbosity = 0;
  bool json_mode = false;
  bool set_facts = false;
  bool post_events = false;
  std::string ruleset;
  int retries = 0;
  double delay = 0;
  double timeout = 0;  // 0: none
};

class ansible_action;

struct run_ctx {
  ansible_action* owner = nullptr;
  services* svc = nullptr;
  settings s;
  std::string rule;  // for log lines
  std::string ruleset_name;
  std::string limit;
  std::string job_id;
  std::string tmpdir;
  std::unique_ptr<child_process> child;
  std::unique_ptr<boost::asio::steady_timer> timer;  // timeout or retry delay
  completion done;
  int attempt = 0;
  bool timed_out = false;
  bool cancelled = false;
  bool no_hosts_matched = false;
  value artifacts = nullptr;  // the last set_fact's facts or set_stats' data
  std::string failure;        // the last task failure's message
  std::deque<std::string> tail;
  std::int64_t spawned_us = 0;

  ~run_ctx() {
    child.reset();  // kills and reaps a child still running (engine teardown)
    if (!tmpdir.empty()) {
      std::error_code ec;
      fs::remove_all(tmpdir, ec);
    }
  }
};

class ansible_action final : public action {
 public:
  explicit ansible_action(bool module) : module_(module) {}
  ~ansible_action() override { runs_.clear(); }

  std::string_view audit_name() const noexcept override {
    return module_ ? "run_module" : "run_playbook";
  }

  void start(const firing& f, const value& args, services& svc, completion done,
             cancel_slot& cancel) noexcept override {
    auto ctx = std::make_shared<run_ctx>();
    ctx->owner = this;
    ctx->svc = &svc;
    ctx->rule = std::string(f.rule);
    ctx->ruleset_name = std::string(f.ruleset);
    ctx->job_id = uuid4();
    std::string error;
    try {
      error = read_settings(f, args, svc, ctx->s);
      if (error.empty()) error = prepare_files(f, svc, *ctx);
    } catch (const std::exception& e) {
      error = std::string(audit_name()) + ": " + e.what();
    }
    ctx->limit = host_limit(f);
    if (!error.empty()) {
      done({false, std::move(error), record(*ctx, nullptr, "failed")});
      return;
    }
    ctx->done = std::move(done);
    ctx->timer = std::make_unique<boost::asio::steady_timer>(svc.executor);
    run_ctx* raw = ctx.get();
    runs_.emplace(raw, ctx);
    std::weak_ptr<run_ctx> weak = ctx;
    cancel.report = [this, weak]() -> action_result {
      auto c = weak.lock();
      if (!c) return {false, "cancelled", nullptr};
      return cancel_run(*c);
    };
    attempt(*raw);
  }

 private:
  std::string read_settings(const firing& f, const value& args, services& svc, settings& s) const {
    const std::string what(audit_name());
    auto name = args.find("name");
    if (name == args.end() || !name->is_string() || name->get_ref<const std::string&>().empty())
      return what + ": 'name' must be a non-empty string";
    s.name = name->get<std::string>();
    auto get_bool = [&](const char* key, bool& out) -> std::string {
      auto it = args.find(key);
      if (it == args.end() || it->is_null()) return {};
      if (!it->is_boolean()) return what + ": '" + key + "' must be true or false";
      out = it->get<bool>();
      return {};
    };
    std::string e;
    bool retry = false, copy_files = true;  // copy_files: accepted; the playbook runs in place
    for (auto [key, out] : {std::pair<const char*, bool*>{"json_mode", &s.json_mode},
                            {"set_facts", &s.set_facts},
                            {"post_events", &s.post_events},
                            {"retry", &retry},
                            {"copy_files", &copy_files}})
      if (e = get_bool(key, *out); !e.empty()) return e;
    if (auto it = args.find("extra_vars"); it != args.end() && !it->is_null()) {
      if (!it->is_object()) return what + ": 'extra_vars' must be a mapping";
      s.extra_vars = *it;
    }
    if (auto it = args.find("verbosity"); it != args.end() && !it->is_null()) {
      if (!it->is_number_integer() || it->get<long long>() < 0 || it->get<long long>() > 6)
        return what + ": 'verbosity' must be an integer from 0 to 6";
      s.verbosity = it->get<int>();
    }
    if (auto it = args.find("retries"); it != args.end() && !it->is_null()) {
      if (!it->is_number_integer() || it->get<long long>() < 0 || it->get<long long>() > 1000)
        return what + ": 'retries' must be an integer from 0 to 1000";
      s.retries = it->get<int>();
    }
    if (retry) s.retries = std::max(s.retries, 1);
    for (auto [key, out] :
         {std::pair<const char*, double*>{"delay", &s.delay}, {"timeout", &s.timeout}}) {
      auto it = args.find(key);
      if (it == args.end() || it->is_null()) continue;
      if (!it->is_number() || it->get<double>() < 0)
        return what + ": '" + key + "' must be a number of seconds";
      *out = it->get<double>();
    }
    if (auto it = args.find("module_args"); it != args.end()) s.module_args = *it;
    s.ruleset = target_ruleset(what, f, args);

    if (module_) {
      s.playbook_name = s.name;
      return {};
    }
    // The playbook: a path (the working directory first, as ansible-rulebook, then the
    // rulebook's directory), or a collection's ns.coll.playbook.
    std::error_code ec;
    fs::path p(s.name);
    std::vector<fs::path> tried;
    if (p.is_absolute()) {
      tried.push_back(p);
    } else {
      tried.push_back(fs::current_path(ec) / p);
      if (!svc.rulebook_dir.empty()) tried.push_back(fs::path(svc.rulebook_dir) / p);
    }
    for (const auto& t : tried) {
      if (fs::is_regular_file(t, ec)) {
        s.playbook = fs::absolute(t, ec).lexically_normal().string();
        s.playbook_name = p.filename().string();
        return {};
      }
    }
    if (!p.is_absolute() && looks_like_fqcn(s.name)) {
      s.playbook = s.name;  // ansible-playbook finds collections' playbooks itself
      s.playbook_name = s.name;
      return {};
    }
    std::string where;
    for (const auto& t : tried) where += (where.empty() ? "" : ", ") + t.string();
    return what + ": could not find a playbook for '" + s.name + "' (tried " + where + ")";
  }

  std::string prepare_files(const firing& f, const services& svc, run_ctx& ctx) const {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/rulebook-ansible-XXXXXX";
    if (!::mkdtemp(templ.data()))
      return std::string(audit_name()) +
             ": cannot create a temporary directory: " + std::strerror(errno);
    ctx.tmpdir = templ;
    // Lowest precedence first: the rulebook's variables, extra_vars, then ansible_eda.
    value vars = svc.vars && svc.vars->is_object() ? *svc.vars : value::object();
    for (const auto& [k, v] : ctx.s.extra_vars.items()) vars[k] = v;
    value eda = value::object();
    eda["ruleset"] = std::string(f.ruleset);
    eda["rule"] = std::string(f.rule);
    if (f.event) eda["event"] = *f.event;
    if (f.events) eda["events"] = *f.events;
    vars["ansible_eda"] = std::move(eda);
    if (!write_file(ctx.tmpdir + "/extravars.json", vars.dump()))
      return std::string(audit_name()) + ": cannot write " + ctx.tmpdir + "/extravars.json";
    if (module_) {
      // JSON is YAML: the wrapper playbook needs no YAML writer.
      value task = value::object();
      task["name"] = "Module wrapper";
      task[ctx.s.name] = ctx.s.module_args.is_null() ? value::object() : ctx.s.module_args;
      task["register"] = module_output_key;
      value save = value::object();
      save["name"] = "save result";
      save["ansible.builtin.set_fact"] = {
          {module_output_key, std::string("{{ ") + module_output_key + " }}"}, {"cacheable", true}};
      const std::string limit = host_limit(f);
      value play = value::object();
      play["name"] = "wrapper";
      play["hosts"] = limit.empty() ? "all" : limit;
      play["gather_facts"] = false;
      play["tasks"] = value::array({task, save});
      ctx.s.playbook = ctx.tmpdir + "/wrapper.yml";
      if (!write_file(ctx.s.playbook, value::array({play}).dump(2)))
        return std::string(audit_name()) + ": cannot write " + ctx.s.playbook;
    }
    return {};
  }

  static bool write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    return bool(out.flush());
  }

  value record(const run_ctx& ctx, const child_exit* exit, const char* status) const {
    value extra = value::object();
    extra["playbook_name"] = ctx.s.playbook_name.empty() ? ctx.s.name : ctx.s.playbook_name;
    extra["job_id"] = ctx.job_id;
    extra["rc"] = exit ? value(exit->signaled ? -exit->code : exit->code) : value(nullptr);
    extra["status"] = status;
    return extra;
  }

  void attempt(run_ctx& ctx) {
    ++ctx.attempt;
    ctx.no_hosts_matched = false;
    ctx.artifacts = nullptr;
    ctx.failure.clear();
    ctx.tail.clear();
    ctx.timed_out = false;
    spawn_options opts;
    opts.argv = {"ansible-playbook"};
    if (!ctx.svc->inventory.empty()) {
      opts.argv.push_back("-i");
      opts.argv.push_back(ctx.svc->inventory);
    }
    opts.argv.push_back("-e");
    opts.argv.push_back("@" + ctx.tmpdir + "/extravars.json");
    if (ctx.s.verbosity > 0) opts.argv.push_back("-" + std::string(ctx.s.verbosity, 'v'));
    if (!ctx.limit.empty() && !module_) {
      opts.argv.push_back("--limit");
      opts.argv.push_back(ctx.limit);
    }
    opts.argv.push_back(ctx.s.playbook);
    opts.env = {
        {"PYTHONUNBUFFERED", "1"}, {"ANSIBLE_NOCOLOR", "1"}, {"ANSIBLE_RETRY_FILES_ENABLED", "0"}};
    // The callback plugin costs ansible-playbook ~6% more CPU (bench/run_playbook.sh): load it
    // only when its events are used (results back, JSON output, or telling "no hosts matched"
    // apart when there is no inventory). Failures are otherwise read from the output's tail.
    const bool wants_events =
        ctx.s.json_mode || ctx.s.set_facts || ctx.s.post_events || ctx.svc->inventory.empty();
    if (const std::string& cb = callback_dir(); wants_events && !cb.empty()) {
      opts.extra_pipes = 1;  // fd 3: the callback plugin's JSON lines
      opts.env.emplace_back("RULEBOOK_EVENTS_FD", "3");
      opts.env.emplace_back("ANSIBLE_CALLBACK_PLUGINS",
                            join_env("ANSIBLE_CALLBACK_PLUGINS", cb, ':'));
      opts.env.emplace_back("ANSIBLE_CALLBACKS_ENABLED",
                            join_env("ANSIBLE_CALLBACKS_ENABLED", "rulebook_events", ','));
    } else if (ctx.s.json_mode || ctx.s.set_facts || ctx.s.post_events) {
      spdlog::warn(
          "ruleset '{}' rule '{}': {}: rulebook's ansible callback plugin was not found "
          "(set RULEBOOK_ANSIBLE_DIR); json_mode, set_facts and post_events get nothing",
          ctx.ruleset_name, ctx.rule, audit_name());
    }
    std::weak_ptr<run_ctx> weak = runs_.at(&ctx);
    std::string error;
    ctx.child = child_process::spawn(
        ctx.svc->executor, opts,
        [this, weak](int fd, std::string_view line) {
          if (auto c = weak.lock()) on_line(*c, fd, line);
        },
        [this, weak](const child_exit& e) {
          if (auto c = weak.lock()) on_exit(*c, e);
        },
        error);
    if (!ctx.child) {
      finish(ctx,
             {false, std::string(audit_name()) + ": " + error, record(ctx, nullptr, "failed")});
      return;
    }
    ctx.spawned_us = utc_now_us();
    spdlog::info("ruleset '{}' rule '{}': {} '{}' started (job {}, pid {}, attempt {})",
                 ctx.ruleset_name, ctx.rule, audit_name(), ctx.s.name, ctx.job_id, ctx.child->pid(),
                 ctx.attempt);
    spdlog::debug("{} job {}: spawned at_us={}", audit_name(), ctx.job_id, ctx.spawned_us);
    if (ctx.s.timeout > 0) {
      ctx.timer->expires_after(
          std::chrono::milliseconds(static_cast<long long>(ctx.s.timeout * 1000)));
      ctx.timer->async_wait([weak](const boost::system::error_code& ec) {
        auto c = weak.lock();
        if (ec || !c || !c->child || c->child->exited()) return;
        c->timed_out = true;
        c->child->terminate(kill_grace);
      });
    }
  }

  void on_line(run_ctx& ctx, int fd, std::string_view line) {
    if (fd == 3) {
      on_event_line(ctx, line);
      return;
    }
    if (line.empty()) return;
    ctx.tail.emplace_back(line);
    if (ctx.tail.size() > tail_lines) ctx.tail.pop_front();
    if (ctx.s.json_mode)
      spdlog::debug("[{}] {}", ctx.rule, line);
    else
      spdlog::info("[{}] {}", ctx.rule, line);
  }

  void on_event_line(run_ctx& ctx, std::string_view line) {
    if (ctx.s.json_mode && ctx.svc->out) {
      std::fwrite(line.data(), 1, line.size(), ctx.svc->out);
      std::fputc('\n', ctx.svc->out);
      std::fflush(ctx.svc->out);
    }
    const bool ok = line.find("\"runner_on_ok\"") != std::string_view::npos;
    const bool failed = line.find("\"runner_on_failed\"") != std::string_view::npos ||
                        line.find("\"runner_on_unreachable\"") != std::string_view::npos;
    const bool none = line.find("\"playbook_on_no_hosts_matched\"") != std::string_view::npos;
    if (none) ctx.no_hosts_matched = true;
    if (!ok && !failed) return;
    const value ev = value::parse(line, nullptr, false);
    if (ev.is_discarded() || !ev.is_object()) return;
    const value& data = ev.value("event_data", value::object());
    const value& res = data.is_object() ? data.value("res", value::object()) : data;
    if (failed) {
      if (data.value("ignore_errors", false)) return;
      std::string msg = res.is_object() ? res.value("msg", std::string()) : std::string();
      ctx.failure = "task '" + data.value("task", std::string("?")) + "' on " +
                    data.value("host", std::string("?")) + ": " + msg;
      return;
    }
    const std::string action = data.value("task_action", std::string());
    if (action == "set_fact" || action == "ansible.builtin.set_fact") {
      if (res.is_object() && res.contains("ansible_facts")) ctx.artifacts = res["ansible_facts"];
    } else if (action == "set_stats" || action == "ansible.builtin.set_stats") {
      if (res.is_object() && res.contains("ansible_stats") && res["ansible_stats"].is_object())
        ctx.artifacts = res["ansible_stats"].value("data", value(nullptr));
    }
  }

  void on_exit(run_ctx& ctx, const child_exit& e) {
    const std::int64_t exited_us = utc_now_us();
    ctx.timer->cancel();
    if (ctx.cancelled) {  // its record is written; only the cleaning is left
      spdlog::info("ruleset '{}' rule '{}': {} '{}' stopped (job {}, rc {})", ctx.ruleset_name,
                   ctx.rule, audit_name(), ctx.s.name, ctx.job_id, e.rc());
      forget(ctx);
      return;
    }
    spdlog::debug("{} job {}: exited at_us={} rc={}", audit_name(), ctx.job_id, exited_us, e.rc());
    if (ctx.timed_out) {
      finish(ctx, {false,
                   std::string(audit_name()) + ": '" + ctx.s.name + "' timed out after " +
                       fmt_seconds(ctx.s.timeout),
                   record(ctx, &e, "timeout")});
      return;
    }
    std::string problem;
    if (e.signaled) {
      problem = "ansible-playbook was killed by signal " + std::to_string(e.code);
    } else if (e.code != 0) {
      problem = "ansible-playbook exited with rc " + std::to_string(e.code);
    } else if (ctx.no_hosts_matched && ctx.svc->inventory.empty()) {
      problem =
          "the playbook matched no hosts and no inventory was given (-i/--inventory or "
          "$ANSIBLE_INVENTORY)";
    }
    if (!problem.empty()) {
      if (!ctx.failure.empty()) {
        problem += ": " + ctx.failure;
      } else {
        for (auto it = ctx.tail.rbegin(); it != ctx.tail.rend(); ++it)
          if (it->rfind("ERROR!", 0) == 0 || it->rfind("fatal:", 0) == 0) {
            problem += ": " + *it;
            break;
          }
      }
      if (ctx.attempt <= ctx.s.retries) {
        spdlog::warn("ruleset '{}' rule '{}': {} '{}' failed ({}). Retry {} of {}",
                     ctx.ruleset_name, ctx.rule, audit_name(), ctx.s.name, problem, ctx.attempt,
                     ctx.s.retries);
        ctx.child.reset();
        std::weak_ptr<run_ctx> weak = runs_.at(&ctx);
        ctx.timer->expires_after(
            std::chrono::milliseconds(static_cast<long long>(ctx.s.delay * 1000)));
        ctx.timer->async_wait([this, weak](const boost::system::error_code& ec) {
          auto c = weak.lock();
          if (ec || !c || c->cancelled) return;
          attempt(*c);
        });
        return;
      }
      finish(ctx, {false, std::string(audit_name()) + ": '" + ctx.s.name + "': " + problem,
                   record(ctx, &e, "failed")});
      return;
    }
    action_result r{true, {}, record(ctx, &e, "successful")};
    if (ctx.s.set_facts || ctx.s.post_events) send_back(ctx, r);
    finish(ctx, std::move(r));
  }

  // set_facts / post_events: the run's artifacts go to the ruleset (ansible-rulebook sends
  // nothing when there are none).
  void send_back(run_ctx& ctx, action_result& r) {
    value fact = ctx.artifacts;
    if (module_ && fact.is_object()) {
      auto it = fact.find(module_output_key);
      fact = it == fact.end() ? value(nullptr) : *it;
    }
    if (!fact.is_object() || fact.empty()) {
      spdlog::debug("ruleset '{}' rule '{}': {}: no facts came back", ctx.ruleset_name, ctx.rule,
                    audit_name());
      return;
    }
    std::string err;
    if (ctx.s.set_facts && ctx.svc->set_fact) err = ctx.svc->set_fact(ctx.s.ruleset, value(fact));
    if (err.empty() && ctx.s.post_events && ctx.svc->post_event)
      err = ctx.svc->post_event(ctx.s.ruleset, value(fact));
    if (!err.empty()) {
      r.ok = false;
      r.error = std::string(audit_name()) + ": " + err;
    }
  }

  void finish(run_ctx& ctx, action_result&& r) {
    completion done = std::move(ctx.done);
    spdlog::debug("{} job {}: reported at_us={}", audit_name(), ctx.job_id, utc_now_us());
    forget(ctx);  // ctx is gone from here on
    if (done) done(std::move(r));
  }

  action_result cancel_run(run_ctx& ctx) {
    ctx.cancelled = true;
    ctx.timer->cancel();
    ctx.done = nullptr;
    action_result r{
        false,
        std::string(audit_name()) + ": '" + ctx.s.name + "' cancelled: the engine is stopping",
        record(ctx, nullptr, "cancelled")};
    if (ctx.child && !ctx.child->exited()) {
      spdlog::warn("ruleset '{}' rule '{}': stopping {} '{}' (job {}, pid {})", ctx.ruleset_name,
                   ctx.rule, audit_name(), ctx.s.name, ctx.job_id, ctx.child->pid());
      ctx.child->terminate(kill_grace);
    } else {
      forget(ctx);  // waiting to retry: nothing runs
    }
    return r;
  }

  // Drops the run (the child, if any, is reaped; the temporary directory removed). Posted: the
  // caller may be the child's own callback.
  void forget(run_ctx& ctx) {
    auto it = runs_.find(&ctx);
    if (it == runs_.end()) return;
    auto keep = std::move(it->second);
    runs_.erase(it);
    boost::asio::post(ctx.svc->executor, [keep = std::move(keep)] {});
  }

  static std::string fmt_seconds(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%gs", s);
    return buf;
  }

  bool module_;
  std::unordered_map<run_ctx*, std::shared_ptr<run_ctx>> runs_;
};

// After expect_only: `name` is required, a non-empty string.
std::unique_ptr<action> make_ansible_action(std::string_view action, const value& args,
                                            bool module) {
  auto it = args.find("name");
  if (it == args.end())
    throw action_error(std::string(action) + ": missing required argument 'name'");
  if (!it->is_string() || it->get_ref<const std::string&>().empty())
    throw action_error(std::string(action) + ": 'name' must be a non-empty string");
  return std::make_unique<ansible_action>(module);
}

}  // namespace

std::unique_ptr<action> make_run_playbook(const value& args) {
  expect_only("run_playbook", args,
              {"name", "extra_vars", "verbosity", "json_mode", "post_events", "set_facts",
               "ruleset", "retries", "retry", "delay", "timeout", "copy_files"});
  return make_ansible_action("run_playbook", args, false);
}

std::unique_ptr<action> make_run_module(const value& args) {
  expect_only("run_module", args,
              {"name", "module_args", "extra_vars", "verbosity", "json_mode", "post_events",
               "set_facts", "ruleset", "retries", "retry", "delay", "timeout"});
  return make_ansible_action("run_module", args, true);
}

bool needs_ansible(std::string_view type) noexcept {
  return type == "run_playbook" || type == "run_module";
}

}  // namespace rb::actions
