// action: what a rule does when it fires. Actions are created once at start-up from the rulebook
// (bad arguments throw action_error there) and run many times; run() never throws: it returns an
// action_result that the dispatcher turns into an audit record and a log line.
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/value.h"

namespace rb::actions {

class audit_log;

// One rule firing, as the actions of that rule see it.
struct firing {
  std::string_view ruleset;
  std::string_view ruleset_uuid;
  std::string_view rule;
  std::string_view rule_uuid;
  std::string rule_run_at;         // when the rule fired (ISO 8601, UTC)
  const value* matching_events;    // {"m": event} or {"m_0": ..., "m_1": ...} or assigned names
  const value* event = nullptr;    // the single event for single-condition rules
};

enum class shutdown_kind { graceful, now };

struct shutdown_request {
  shutdown_kind kind = shutdown_kind::graceful;
  double delay_seconds = 60.0;
  std::string message;
  std::string ruleset;
  std::string rule;
};

// What the engine lends to actions.
struct services {
  std::FILE* out = stdout;                           // rule output (banners, printed events)
  const value* vars = nullptr;                       // --vars / --env-vars
  std::function<void(const shutdown_request&)> request_shutdown;
};

struct action_result {
  bool ok = true;
  std::string error;          // when !ok: what went wrong, for the log and the audit record
  value extra = nullptr;      // extra audit fields (shutdown's delay/message/kind)
};

class action {
 public:
  virtual ~action() = default;
  // The name reported in audit records ("noop" for `none`).
  virtual std::string_view audit_name() const noexcept = 0;
  // `args` are this action's arguments with templates already rendered for this firing.
  virtual action_result run(const firing& f, const value& args, services& svc) noexcept = 0;
};

struct action_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Names of the actions this build executes.
bool is_supported(std::string_view type);

// Creates an action from its rulebook type and (unrendered) arguments. Throws action_error for an
// unsupported action or bad arguments.
std::unique_ptr<action> make_action(std::string_view type, const value& args);

}  // namespace rb::actions
