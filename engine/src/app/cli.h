// cli: ansible-rulebook's command line plus rulebook's own flags, parsed into plain options.
// parse_cli never exits the process: it returns options, or what to print and the exit code
// (0 for --help/--version, 2 for usage errors naming the flag at fault).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "actions/controller_client.h"

namespace rb::app {

enum class log_format { text, json };

struct cli_options {
  std::string rulebook;
  std::string vars_file;                 // -e/--vars
  std::vector<std::string> env_vars;     // -E/--env-vars A,B
  std::string inventory;                 // -i/--inventory
  std::vector<std::string> source_dirs;  // -S/--source-dir (repeatable)
  std::vector<std::string> filter_dirs;  // -F/--filter-dir (repeatable)
  int verbosity = 0;                     // -v = 1, -vv = 2
  bool print_events = false;
  std::string audit_log;
  double shutdown_delay = 60.0;  // seconds a graceful shutdown may take
  log_format format = log_format::text;
  std::string execution_strategy = "sequential";  // for rulesets without the key
  int max_concurrent_actions = 25;
  std::vector<std::string> lua_allow;        // --lua-allow io,os,...: libraries for trusted plugins
  std::size_t lua_memory_limit = 64u << 20;  // --lua-memory-limit, bytes per lua_State
  std::string id;                            // --id: the activation id in audit records
  // High availability (each also from its EDA_HA_* environment variable).
  std::string ha_postgres_dsn;
  std::string ha_uuid;
  double ha_poll_interval = 5.0;
  std::string ha_worker_id;       // default hostname-pid
  double ha_lease = 3.0;          // --ha-lease / EDA_HA_LEASE (rulebook's own)
  std::string ha_wait = "block";  // --ha-wait block|poll / EDA_HA_WAIT (rulebook's own)
  // Heartbeats of http_check (rulebook's own; docs/monitoring.md). Empty: sqlite:heartbeats.db,
  // or the HA database with HA on.
  std::string heartbeat_store;          // --heartbeat-store / EDA_HEARTBEAT_STORE
  std::string heartbeat_spool_dir;      // --heartbeat-spool DIR / EDA_HEARTBEAT_SPOOL
  double heartbeat_retention_days = 0;  // --heartbeat-retention DAYS; 0 = keep forever
  // The worker's location, for checks whose monitor names none, and the local address checks
  // leave from (docs/monitoring.md, "Locations"). "" = none.
  std::string datacenter;            // --datacenter / EDA_DATACENTER
  std::string region;                // --region / EDA_REGION
  std::string check_source_address;  // --check-source-address / EDA_CHECK_SOURCE_ADDRESS
  // Operability server (docs/operations.md): health, metrics, status page. -1 = off.
  int http_port = -1;                 // --http-port / EDA_HTTP_PORT
  std::string http_host = "0.0.0.0";  // --http-host / EDA_HTTP_HOST
  // run_job_template / run_workflow_template: --controller-url, -token, -username, -password,
  // -ssl-verify (each also EDA_CONTROLLER_*), poll interval from EDA_JOB_TEMPLATE_REFRESH_DELAY.
  actions::controller_settings controller;
};

struct cli_exit {
  int code = 0;
  std::string text;  // printed to stdout for code 0, stderr otherwise
};

std::variant<cli_options, cli_exit> parse_cli(int argc, const char* const* argv);

// HA options together: a DSN needs a uuid (and the reverse), the DSN must parse; fills the
// default worker id. Returns the usage error, empty when fine.
std::string check_ha(cli_options& o);

}  // namespace rb::app
