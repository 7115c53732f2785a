// action: what a rule does when it fires. Actions are created once at start-up from the rulebook
// (bad arguments throw action_error there) and run many times. Running never throws: an action
// reports an action_result, which the dispatcher turns into an audit record and a log line.
//
// Actions may finish later: start() gets a completion that must be called exactly once, either
// before start() returns (every built-in action today) or later from the event loop (an action
// waiting on a process or a socket). Such an action may also be cancelled (`shutdown` with
// kind `now`, or a graceful shutdown running out of time): the dispatcher then calls the handler
// the action registered in its cancel_slot and ignores any later completion. It writes no record
// unless the action also registered `report` (run_playbook: a `cancelled` record).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdio>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/heartbeat.h"
#include "core/http.h"
#include "core/leadership.h"
#include "core/metrics.h"
#include "core/monitor_directory.h"
#include "core/value.h"

namespace rb::actions {

// One rule firing, as one action of that rule sees it. Pointers stay valid until the action
// completes.
struct firing {
  std::string_view ruleset;
  std::string_view ruleset_uuid;
  std::string_view rule;
  std::string_view rule_uuid;
  std::string_view rule_run_at;  // when the rule fired (ISO 8601, UTC)
  // Exactly one of these: `event` when the firing has one event named `m`, otherwise `events`
  // ({"m_0": ..., "m_1": ...} or assigned names). Both after this action's var_root.
  const value* event = nullptr;
  const value* events = nullptr;
  // The variables (--vars/--env-vars) as this action sees them: masked for `debug`.
  const value* vars = nullptr;
  // Facts set by earlier actions of this firing, merged (later keys win); set_fact adds to it.
  value* facts_set = nullptr;
  std::string_view hosts;  // the ruleset's `hosts`, comma-joined (the controller's `limit`)
};

struct controller_settings;  // actions/controller_client.h
class monitor_metrics;       // actions/monitor_metrics.h

enum class shutdown_kind { graceful, now };

struct shutdown_request {
  shutdown_kind kind = shutdown_kind::graceful;
  double delay_seconds = 60.0;
  std::string message;
  std::string ruleset;
  std::string rule;
};

// What the engine lends to actions. The ruleset callbacks return an error message, empty on
// success (an unknown ruleset name is an error).
struct services {
  std::FILE* out = stdout;  // rule output (banners, printed events)
  // The event loop, for actions that complete later (timers, sockets, child processes).
  boost::asio::any_io_executor executor;
  const value* vars = nullptr;   // --vars / --env-vars
  double shutdown_delay = 60.0;  // shutdown's default delay (--shutdown-delay)
  std::function<void(const shutdown_request&)> request_shutdown;
  // post_event: the event (meta added by the engine) goes into the ruleset's matcher.
  std::function<std::string(std::string_view ruleset, value&& event)> post_event;
  // set_fact: the fact (meta added by the engine) is asserted in the ruleset's matcher.
  std::function<std::string(std::string_view ruleset, value&& fact)> set_fact;
  std::function<std::string(std::string_view ruleset, const value& fact, bool partial)>
      retract_fact;
  // The facts of a ruleset (debug without arguments prints them); null if unknown.
  std::function<value(std::string_view ruleset)> facts;
  http_sender* http = nullptr;           // the loop's HTTP client (http_check, http_request)
  heartbeat_sink* heartbeats = nullptr;  // where http_check's results are stored; null: nowhere
  const leadership* ha = nullptr;        // HA: heartbeats carry the term's epoch
  std::string worker_id;                 // heartbeats' worker_id
  // --datacenter / --region: the location of checks whose monitor names none ("" = none).
  std::string datacenter;
  std::string region;
  // --check-source-address: the local address or interface checks leave from ("" = any).
  std::string check_source_address;
  rb::metrics* metrics = nullptr;  // /metrics; null: not counted
  // http_check's last result per (monitor, datacenter) on /metrics; null: not exported.
  monitor_metrics* check_metrics = nullptr;
  // run_job_template / run_workflow_template: where the controller is; null: none configured.
  const controller_settings* controller = nullptr;
  // http_check notes each monitor it checks (the status page's URLs); null: nowhere.
  monitor_directory* monitors = nullptr;
  // run_playbook / run_module: the inventory (-i; empty: none) and the rulebook's directory
  // (relative playbook paths are looked up in the working directory, then there).
  std::string inventory;
  std::string rulebook_dir;
};

struct action_result {
  bool ok = true;
  std::string error;      // when !ok: what went wrong, for the log and the audit record
  value extra = nullptr;  // extra audit fields (shutdown's delay/message/kind)
  bool not_run = false;   // refused before it started (HA: not the trusted leader): no record
};

using completion = std::function<void(action_result)>;

// Where a running asynchronous action registers how to stop it.
struct cancel_slot {
  std::function<void()> handler;
  // Optional, instead of handler: stops the action and returns what its audit record says
  // (status `cancelled` through extra). The dispatcher passes it to the job's finish().
  std::function<action_result()> report;
};

class action {
 public:
  virtual ~action() = default;
  // The name reported in audit records ("noop" for `none`).
  virtual std::string_view audit_name() const noexcept = 0;

  // Runs with `args` rendered for this firing (lock and var_root already taken out). Calls
  // `done` exactly once. The default runs run() and completes at once.
  virtual void start(const firing& f, const value& args, services& svc, completion done,
                     cancel_slot& cancel) noexcept {
    (void)cancel;
    done(run(f, args, svc));
  }

  // Synchronous actions implement this.
  virtual action_result run(const firing& f, const value& args, services& svc) noexcept {
    (void)f;
    (void)args;
    (void)svc;
    return {false, std::string(audit_name()) + ": not runnable synchronously", nullptr};
  }
};

struct action_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Names of the actions this build executes.
bool is_supported(std::string_view type);

// Actions added to the built-in ones by whoever embeds the engine (tests use it for actions that
// wait); looked up first, by the rulebook action's name. The factory may throw action_error.
using action_factory = std::function<std::unique_ptr<action>(const value& args)>;
using extra_actions = std::vector<std::pair<std::string, action_factory>>;

// Creates an action from its rulebook type and (unrendered) arguments, without `lock` and
// `var_root`, which the dispatcher handles for every action. Throws action_error for an
// unsupported action or bad arguments.
std::unique_ptr<action> make_action(std::string_view type, const value& args,
                                    const extra_actions* extra = nullptr);

}  // namespace rb::actions
