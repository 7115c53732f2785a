#include "app/ha_status_command.h"

#include <cstdio>
#include <cstdlib>
#include <cxxopts.hpp>
#include <string>

#include "core/value.h"
#include "ha/pg_conn.h"
#include "ha/status.h"

namespace rb::app {

namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return (v && *v) ? std::string(v) : fallback;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "rulebook ha status: %s\nRun 'rulebook ha status --help' for the options.\n",
               message.c_str());
  return 2;
}

}  // namespace

int ha_status_command(int argc, const char* const* argv) {
  cxxopts::Options o("rulebook ha status",
                     "Shows the leader and the waiting workers of an HA group.");
  // clang-format off
  o.add_options()
    ("ha-postgres-dsn", "PostgreSQL DSN (env EDA_HA_POSTGRES_DSN)", cxxopts::value<std::string>(), "DSN")
    ("ha-uuid", "The group's uuid (env EDA_HA_UUID)", cxxopts::value<std::string>(), "UUID")
    ("output", "text (default) or json", cxxopts::value<std::string>()->default_value("text"), "FORMAT")
    ("h,help", "Show this help and exit");
  // clang-format on
  cxxopts::ParseResult r;
  try {
    r = o.parse(argc, argv);
  } catch (const cxxopts::exceptions::exception& e) {
    return usage_error(e.what());
  }
  if (r.count("help")) {
    std::fputs(o.help().c_str(), stdout);
    return 0;
  }
  if (!r.unmatched().empty())
    return usage_error("unexpected argument '" + r.unmatched().front() + "'");
  const std::string dsn = r.count("ha-postgres-dsn") ? r["ha-postgres-dsn"].as<std::string>()
                                                     : env_or("EDA_HA_POSTGRES_DSN", "");
  const std::string uuid =
      r.count("ha-uuid") ? r["ha-uuid"].as<std::string>() : env_or("EDA_HA_UUID", "");
  const std::string output = r["output"].as<std::string>();
  if (dsn.empty()) return usage_error("'--ha-postgres-dsn' (or EDA_HA_POSTGRES_DSN) is required");
  if (uuid.empty()) return usage_error("'--ha-uuid' (or EDA_HA_UUID) is required");
  if (output != "text" && output != "json")
    return usage_error("invalid value '" + output + "' for '--output': expected text or json");
  if (const std::string p = ha::dsn_problem(dsn); !p.empty())
    return usage_error("invalid value for '--ha-postgres-dsn': " + p);

  ha::group_status st;
  try {
    st = ha::read_status(dsn, uuid);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rulebook ha status: %s\n", e.what());
    return 1;
  }
  if (output == "json") {
    value j = value::object();
    j["ha_uuid"] = uuid;
    j["lock_id"] = st.lock_key;
    if (st.leader) {
      j["leader"] = {{"worker_id", st.leader->worker_id},
                     {"epoch", st.leader->epoch},
                     {"since", st.leader->since},
                     {"backend_pid", st.leader->backend_pid}};
    } else {
      j["leader"] = nullptr;
    }
    j["epoch"] = st.last_term ? st.last_term->epoch : 0;
    j["waiting"] = value::array();
    for (const auto& w : st.waiting)
      j["waiting"].push_back({{"worker_id", w.worker_id},
                              {"backend_pid", w.backend_pid},
                              {"wait_mode", w.wait_mode},
                              {"connected_at", w.connected_at}});
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("ha_uuid: %s (lock id %lld)\n", uuid.c_str(), static_cast<long long>(st.lock_key));
    if (st.leader)
      std::printf("leader:  %s (epoch %lld, since %s, backend pid %d)\n",
                  st.leader->worker_id.c_str(), static_cast<long long>(st.leader->epoch),
                  st.leader->since.c_str(), st.leader->backend_pid);
    else if (st.last_term)
      std::printf("leader:  none (last: %s, epoch %lld)\n", st.last_term->worker_id.c_str(),
                  static_cast<long long>(st.last_term->epoch));
    else
      std::printf("leader:  none (no worker of this group has led yet)\n");
    std::printf("waiting: %zu\n", st.waiting.size());
    for (const auto& w : st.waiting)
      std::printf("  %s (backend pid %d, %s wait, connected %s)\n", w.worker_id.c_str(),
                  w.backend_pid, w.wait_mode.c_str(), w.connected_at.c_str());
  }
  std::fflush(stdout);
  return st.leader ? 0 : 1;
}

}  // namespace rb::app
