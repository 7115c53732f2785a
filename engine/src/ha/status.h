// status: who leads an HA group right now, read from PostgreSQL (the fencing row joined with
// pg_locks: a leader exists only while its session holds the group's advisory lock) and which
// workers wait (registered workers whose sessions are alive).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rb::ha {

struct group_status {
  struct leader_info {
    std::string worker_id;
    std::int64_t epoch = 0;
    std::string since;  // ISO 8601, UTC
    int backend_pid = 0;
  };
  struct worker_info {
    std::string worker_id;
    int backend_pid = 0;
    std::string wait_mode;
    std::string connected_at;
  };
  std::int64_t lock_key = 0;
  std::optional<leader_info> leader;
  std::optional<leader_info> last_term;  // the latest term, even if released or lost
  std::vector<worker_info> waiting;
};

// Throws std::runtime_error (passwords masked) when the server cannot be asked.
group_status read_status(const std::string& dsn, const std::string& ha_uuid);

}  // namespace rb::ha
