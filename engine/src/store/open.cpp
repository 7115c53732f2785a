// open_heartbeat_store: the spec decides the backend; the spool is opened (and locked) here, at
// load time, so that a spool another process holds or a directory that cannot be created stops the
// engine before it starts instead of losing heartbeats later.
#include <filesystem>
#include <stdexcept>

#include "ha/pg_conn.h"
#include "store/backend.h"
#include "store/heartbeat_store.h"
#include "store/log.h"
#include "store/spool.h"
#include "store/writer.h"

namespace rb {

namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

std::unique_ptr<heartbeat_store> open_heartbeat_store(const std::string& spec,
                                                      const store_options& options) {
  std::unique_ptr<store::backend> db;
  std::string spool_dir = options.spool_dir;
  if (starts_with(spec, "sqlite:")) {
    const std::string path = spec.substr(7);
    if (path.empty())
      throw std::runtime_error("heartbeat store 'sqlite:' needs a file path (sqlite:PATH)");
    if (spool_dir.empty()) {
      const auto parent = std::filesystem::path(path).parent_path();
      spool_dir = parent.empty() ? std::string(".") : parent.string();
    }
    if (!options.ha_uuid.empty())
      store::store_log().warn(
          "Heartbeat store {}: SQLite is not fenced (the HA terms live in PostgreSQL); use a "
          "PostgreSQL store to refuse a stale leader's heartbeats",
          spec);
    db = store::make_sqlite_backend(path, options);
  } else if (starts_with(spec, "postgresql://") || starts_with(spec, "postgres://") ||
             spec.find('=') != std::string::npos) {
    const std::string problem = ha::dsn_problem(spec);
    if (!problem.empty())
      throw std::runtime_error("invalid PostgreSQL DSN for the heartbeat store: " + problem);
    if (spool_dir.empty()) spool_dir = "./heartbeat-spool";
    db = store::make_pg_backend(spec, options);
  } else {
    throw std::runtime_error("unknown heartbeat store '" + ha::mask_secret(spec, "") +
                             "': use sqlite:PATH or a PostgreSQL DSN (postgresql://..., "
                             "postgres://... or key=value)");
  }
  auto spool = std::make_unique<store::heartbeat_spool>(spool_dir, options.spool_limit_bytes);
  return std::make_unique<store::writer>(std::move(db), std::move(spool), options);
}

}  // namespace rb
