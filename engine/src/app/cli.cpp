#include "app/cli.h"

#include <cstdlib>
#include <cxxopts.hpp>
#include <sstream>

#include "ha/pg_conn.h"
#include "ha/settings.h"

namespace rb::app {

namespace {

constexpr const char* program_name = "rulebook";

cxxopts::Options make_options() {
  cxxopts::Options o(program_name,
                     "Runs ansible-rulebook rulebooks: sources → rules → actions, with optional "
                     "high availability on PostgreSQL.");
  o.set_width(100);
  // clang-format off
  o.add_options()
    ("r,rulebook", "The rulebook file", cxxopts::value<std::string>(), "FILE")
    ("e,vars", "Variables file (YAML or JSON)", cxxopts::value<std::string>(), "FILE")
    ("E,env-vars", "Comma-separated environment variables to import as variables",
       cxxopts::value<std::vector<std::string>>(), "A,B")
    ("i,inventory", "Path to an inventory file (default: $ANSIBLE_INVENTORY)",
       cxxopts::value<std::string>(), "FILE")
    ("S,source-dir", "Directory with source plugins (repeatable)",
       cxxopts::value<std::vector<std::string>>(), "DIR")
    ("F,filter-dir", "Directory with event filters (repeatable)",
       cxxopts::value<std::vector<std::string>>(), "DIR")
    ("v,verbose", "More output: -v info, -vv debug")
    ("print-events", "Print every event a ruleset receives")
    ("audit-log", "Append one JSON record per action to FILE", cxxopts::value<std::string>(),
       "FILE")
    ("shutdown-delay", "Seconds a graceful shutdown may take (default: $EDA_SHUTDOWN_DELAY or 60)",
       cxxopts::value<std::string>(), "SECONDS")
    ("log-format", "text or json", cxxopts::value<std::string>()->default_value("text"), "FORMAT")
    ("execution-strategy",
       "sequential or parallel, for rulesets without execution_strategy (default: $EDA_EXECUTION_STRATEGY or sequential)",
       cxxopts::value<std::string>(), "STRATEGY")
    ("m,max-concurrent-actions",
       "Cap on actions running at once, all rulesets together; 0 means 25 (default: $EDA_MAX_CONCURRENT_ACTIONS or 25)",
       cxxopts::value<std::string>(), "N")
    ("lua-allow", "Lua libraries to open for trusted plugins: io, os, debug, ffi, jit, package, bytecode",
       cxxopts::value<std::vector<std::string>>(), "LIBS")
    ("lua-memory-limit", "Memory one Lua plugin may use, e.g. 64M (default), 512K, 1G",
       cxxopts::value<std::string>(), "SIZE")
    ("id", "Activation id written to audit records", cxxopts::value<std::string>(), "ID")
    ("ha-postgres-dsn", "PostgreSQL DSN for HA (env EDA_HA_POSTGRES_DSN)",
       cxxopts::value<std::string>(), "DSN")
    ("ha-uuid", "HA cluster UUID shared by all workers (env EDA_HA_UUID)",
       cxxopts::value<std::string>(), "UUID")
    ("ha-poll-interval", "Seconds between leadership polls (env EDA_HA_POLL_INTERVAL, default 5)",
       cxxopts::value<std::string>(), "SECONDS")
    ("ha-worker-id", "This worker's id (env EDA_HA_WORKER_ID, default: hostname-pid)",
       cxxopts::value<std::string>(), "ID")
    ("ha-wait", "How followers wait for leadership: block (default) or poll (env EDA_HA_WAIT)",
       cxxopts::value<std::string>(), "MODE")
    ("ha-lease", "Seconds a leader trusts one confirmation of its session (env EDA_HA_LEASE, default 3)",
       cxxopts::value<std::string>(), "SECONDS")
    ("heartbeat-store", "Where http_check heartbeats go: sqlite:PATH or a PostgreSQL DSN (env EDA_HEARTBEAT_STORE; default sqlite:heartbeats.db, or the HA database with HA)",
       cxxopts::value<std::string>(), "STORE")
    ("heartbeat-spool", "Directory of the heartbeat spool used while the store is unreachable (env EDA_HEARTBEAT_SPOOL)",
       cxxopts::value<std::string>(), "DIR")
    ("heartbeat-retention", "Days of heartbeats to keep; 0 keeps all (env EDA_HEARTBEAT_RETENTION, default 0)",
       cxxopts::value<std::string>(), "DAYS")
    ("datacenter", "Datacenter of this worker's checks when their monitor names none (env EDA_DATACENTER)",
       cxxopts::value<std::string>(), "NAME")
    ("region", "Region of this worker's checks when their monitor names no datacenter (env EDA_REGION)",
       cxxopts::value<std::string>(), "NAME")
    ("check-source-address", "Local address or interface HTTP checks leave from, unless a monitor sets source_address (env EDA_CHECK_SOURCE_ADDRESS)",
       cxxopts::value<std::string>(), "ADDR")
    ("http-port", "Serve /health/live, /health/ready, /healthz, /metrics and the status page on this port (env EDA_HTTP_PORT; off by default)",
       cxxopts::value<std::string>(), "PORT")
    ("http-host", "Address the --http-port server binds (env EDA_HTTP_HOST, default 0.0.0.0)",
       cxxopts::value<std::string>(), "HOST")
    ("controller-url", "Controller API base URL, e.g. https://host:8443 (api/ is added to a URL without a path) (env EDA_CONTROLLER_URL)",
       cxxopts::value<std::string>(), "URL")
    ("controller-token", "Controller API token (env EDA_CONTROLLER_TOKEN)",
       cxxopts::value<std::string>(), "TOKEN")
    ("controller-username", "Controller API username, with --controller-password (env EDA_CONTROLLER_USERNAME)",
       cxxopts::value<std::string>(), "USER")
    ("controller-password", "Controller API password (env EDA_CONTROLLER_PASSWORD)",
       cxxopts::value<std::string>(), "PASSWORD")
    ("controller-ssl-verify", "Verify the controller's TLS certificate: yes|true, no|false, or a CA bundle path (env EDA_CONTROLLER_SSL_VERIFY, default yes)",
       cxxopts::value<std::string>(), "yes|no|FILE")
    ("version", "Show the version and exit")
    ("h,help", "Show this help and exit");
  // clang-format on
  return o;
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return (v && *v) ? std::string(v) : fallback;
}

// Parses a non-negative number of seconds; false when `text` is not one.
bool parse_seconds(const std::string& text, double& out) {
  try {
    std::size_t used = 0;
    const double d = std::stod(text, &used);
    if (used != text.size() || !(d >= 0)) return false;
    out = d;
    return true;
  } catch (...) {
    return false;
  }
}

// Parses a byte size with an optional K/M/G suffix (powers of 1024); at least 1 MiB.
bool parse_size(const std::string& text, std::size_t& out) {
  if (text.empty()) return false;
  std::size_t used = 0;
  unsigned long long n = 0;
  try {
    n = std::stoull(text, &used);
  } catch (...) {
    return false;
  }
  if (text[0] == '-') return false;
  std::string suffix = text.substr(used);
  unsigned long long scale = 1;
  if (suffix == "K" || suffix == "k" || suffix == "KiB")
    scale = 1ull << 10;
  else if (suffix == "M" || suffix == "m" || suffix == "MiB")
    scale = 1ull << 20;
  else if (suffix == "G" || suffix == "g" || suffix == "GiB")
    scale = 1ull << 30;
  else if (!suffix.empty())
    return false;
  if (n > (1ull << 40) / scale) return false;
  n *= scale;
  if (n < (1ull << 20)) return false;
  out = static_cast<std::size_t>(n);
  return true;
}

}  // namespace

std::string check_ha(cli_options& o) {
  if (o.ha_postgres_dsn.empty()) {
    if (!o.ha_uuid.empty())
      return "'--ha-uuid' needs '--ha-postgres-dsn' (or EDA_HA_POSTGRES_DSN) to turn HA on";
    return {};
  }
  if (o.ha_uuid.empty())
    return "high availability needs '--ha-uuid' (or EDA_HA_UUID): every worker of a group uses "
           "the same value";
  if (const std::string p = ha::dsn_problem(o.ha_postgres_dsn); !p.empty())
    return "invalid value for '--ha-postgres-dsn': " + p;
  if (o.ha_worker_id.empty()) o.ha_worker_id = ha::default_worker_id();
  return {};
}

namespace {

// The controller options, each from its flag or its EDA_CONTROLLER_* variable, checked as
// ansible-rulebook does (an http(s) URL with a host; a token, or a username and a password).
std::string read_controller(const cxxopts::ParseResult& r, actions::controller_settings& c) {
  auto flag_or_env = [&r](const char* flag, const char* env, const char* fallback) {
    return r.count(flag) ? r[flag].as<std::string>() : env_or(env, fallback);
  };
  c.url = flag_or_env("controller-url", "EDA_CONTROLLER_URL", "");
  c.token = flag_or_env("controller-token", "EDA_CONTROLLER_TOKEN", "");
  c.username = flag_or_env("controller-username", "EDA_CONTROLLER_USERNAME", "");
  c.password = flag_or_env("controller-password", "EDA_CONTROLLER_PASSWORD", "");
  c.ssl_verify = flag_or_env("controller-ssl-verify", "EDA_CONTROLLER_SSL_VERIFY", "yes");
  const std::string delay = env_or("EDA_JOB_TEMPLATE_REFRESH_DELAY", "10");
  double seconds = 10;
  if (!parse_seconds(delay, seconds) || seconds <= 0)
    return "invalid value '" + delay +
           "' for EDA_JOB_TEMPLATE_REFRESH_DELAY: expected a positive number of seconds";
  c.poll_interval = std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  if (c.poll_interval.count() < 1) c.poll_interval = std::chrono::milliseconds(1);
  const std::string problem = actions::controller_settings_problem(c);
  return problem.empty() ? problem : "--controller-url: " + problem;
}

cli_exit usage(const std::string& message) {
  return {2, std::string(program_name) + ": " + message +
                 "\nRun 'rulebook --help' for the list of options.\n"};
}

}  // namespace

std::variant<cli_options, cli_exit> parse_cli(int argc, const char* const* argv) {
  auto spec = make_options();
  cxxopts::ParseResult r;
  try {
    r = spec.parse(argc, argv);
  } catch (const cxxopts::exceptions::exception& e) {
    return usage(e.what());
  }
  if (r.count("help")) return cli_exit{0, spec.help()};
  if (r.count("version")) return cli_exit{0, std::string(program_name) + " " + RB_VERSION + "\n"};
  if (!r.unmatched().empty()) return usage("unexpected argument '" + r.unmatched().front() + "'");

  cli_options o;
  try {
    if (!r.count("rulebook")) return usage("the option '--rulebook' (-r) is required");
    o.rulebook = r["rulebook"].as<std::string>();
    if (r.count("vars")) o.vars_file = r["vars"].as<std::string>();
    if (r.count("env-vars")) o.env_vars = r["env-vars"].as<std::vector<std::string>>();
    o.inventory =
        r.count("inventory") ? r["inventory"].as<std::string>() : env_or("ANSIBLE_INVENTORY", "");
    if (r.count("source-dir")) o.source_dirs = r["source-dir"].as<std::vector<std::string>>();
    if (r.count("filter-dir")) o.filter_dirs = r["filter-dir"].as<std::vector<std::string>>();
    o.verbosity = static_cast<int>(r.count("verbose"));
    o.print_events = r.count("print-events") > 0;
    if (r.count("audit-log")) o.audit_log = r["audit-log"].as<std::string>();
    if (r.count("id")) o.id = r["id"].as<std::string>();

    const std::string delay = r.count("shutdown-delay") ? r["shutdown-delay"].as<std::string>()
                                                        : env_or("EDA_SHUTDOWN_DELAY", "60");
    if (!parse_seconds(delay, o.shutdown_delay))
      return usage("invalid value '" + delay + "' for '--shutdown-delay': expected seconds >= 0");

    const std::string fmt = r["log-format"].as<std::string>();
    if (fmt == "text")
      o.format = log_format::text;
    else if (fmt == "json")
      o.format = log_format::json;
    else
      return usage("invalid value '" + fmt + "' for '--log-format': expected text or json");

    o.execution_strategy = r.count("execution-strategy")
                               ? r["execution-strategy"].as<std::string>()
                               : env_or("EDA_EXECUTION_STRATEGY", "sequential");
    if (o.execution_strategy != "sequential" && o.execution_strategy != "parallel")
      return usage("invalid value '" + o.execution_strategy +
                   "' for '--execution-strategy': expected sequential or parallel");
    const std::string max_actions = r.count("max-concurrent-actions")
                                        ? r["max-concurrent-actions"].as<std::string>()
                                        : env_or("EDA_MAX_CONCURRENT_ACTIONS", "25");
    try {
      std::size_t used = 0;
      o.max_concurrent_actions = std::stoi(max_actions, &used);
      if (used != max_actions.size() || o.max_concurrent_actions < 0) throw 0;
      if (o.max_concurrent_actions == 0) o.max_concurrent_actions = 25;  // as ansible-rulebook
    } catch (...) {
      return usage("invalid value '" + max_actions +
                   "' for '--max-concurrent-actions': expected an integer >= 0");
    }

    if (r.count("lua-allow")) {
      static const char* const known[] = {"io", "os", "debug", "ffi", "jit", "package", "bytecode"};
      for (const auto& lib : r["lua-allow"].as<std::vector<std::string>>()) {
        bool ok = false;
        for (const char* k : known) ok = ok || lib == k;
        if (!ok)
          return usage(
              "invalid value '" + lib +
              "' for '--lua-allow': expected io, os, debug, ffi, jit, package or bytecode");
        o.lua_allow.push_back(lib);
      }
    }
    if (r.count("lua-memory-limit")) {
      const std::string text = r["lua-memory-limit"].as<std::string>();
      if (!parse_size(text, o.lua_memory_limit))
        return usage("invalid value '" + text +
                     "' for '--lua-memory-limit': expected a size such as 64M, 512K or 1G "
                     "(at least 1M)");
    }
    o.ha_postgres_dsn = r.count("ha-postgres-dsn") ? r["ha-postgres-dsn"].as<std::string>()
                                                   : env_or("EDA_HA_POSTGRES_DSN", "");
    o.ha_uuid = r.count("ha-uuid") ? r["ha-uuid"].as<std::string>() : env_or("EDA_HA_UUID", "");
    o.ha_worker_id = r.count("ha-worker-id") ? r["ha-worker-id"].as<std::string>()
                                             : env_or("EDA_HA_WORKER_ID", "");
    const std::string poll = r.count("ha-poll-interval") ? r["ha-poll-interval"].as<std::string>()
                                                         : env_or("EDA_HA_POLL_INTERVAL", "5");
    if (!parse_seconds(poll, o.ha_poll_interval) || o.ha_poll_interval < 0.1)
      return usage("invalid value '" + poll +
                   "' for '--ha-poll-interval': expected seconds >= 0.1");
    const std::string lease =
        r.count("ha-lease") ? r["ha-lease"].as<std::string>() : env_or("EDA_HA_LEASE", "3");
    if (!parse_seconds(lease, o.ha_lease) || o.ha_lease < 0.5 || o.ha_lease > 3600)
      return usage("invalid value '" + lease +
                   "' for '--ha-lease': expected seconds between 0.5 and 3600");
    o.ha_wait =
        r.count("ha-wait") ? r["ha-wait"].as<std::string>() : env_or("EDA_HA_WAIT", "block");
    if (o.ha_wait != "block" && o.ha_wait != "poll")
      return usage("invalid value '" + o.ha_wait + "' for '--ha-wait': expected block or poll");
    o.heartbeat_store = r.count("heartbeat-store") ? r["heartbeat-store"].as<std::string>()
                                                   : env_or("EDA_HEARTBEAT_STORE", "");
    o.heartbeat_spool_dir = r.count("heartbeat-spool") ? r["heartbeat-spool"].as<std::string>()
                                                       : env_or("EDA_HEARTBEAT_SPOOL", "");
    const std::string retention = r.count("heartbeat-retention")
                                      ? r["heartbeat-retention"].as<std::string>()
                                      : env_or("EDA_HEARTBEAT_RETENTION", "0");
    if (!parse_seconds(retention, o.heartbeat_retention_days))
      return usage("invalid value '" + retention +
                   "' for '--heartbeat-retention': expected a number of days (0 keeps all)");
    const std::string http_port =
        r.count("http-port") ? r["http-port"].as<std::string>() : env_or("EDA_HTTP_PORT", "");
    if (!http_port.empty()) {
      double port = -1;
      if (!parse_seconds(http_port, port) || port != static_cast<int>(port) || port < 0 ||
          port > 65535)
        return usage("invalid value '" + http_port +
                     "' for '--http-port': expected a port number (0 picks a free one)");
      o.http_port = static_cast<int>(port);
    }
    o.http_host = r.count("http-host") ? r["http-host"].as<std::string>()
                                       : env_or("EDA_HTTP_HOST", "0.0.0.0");
    o.datacenter =
        r.count("datacenter") ? r["datacenter"].as<std::string>() : env_or("EDA_DATACENTER", "");
    o.region = r.count("region") ? r["region"].as<std::string>() : env_or("EDA_REGION", "");
    o.check_source_address = r.count("check-source-address")
                                 ? r["check-source-address"].as<std::string>()
                                 : env_or("EDA_CHECK_SOURCE_ADDRESS", "");
    if (const std::string e = check_ha(o); !e.empty()) return usage(e);
    if (const std::string e = read_controller(r, o.controller); !e.empty()) return usage(e);
  } catch (const cxxopts::exceptions::exception& e) {
    return usage(e.what());
  }
  return o;
}

}  // namespace rb::app
