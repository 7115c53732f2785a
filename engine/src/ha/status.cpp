#include "ha/status.h"

#include <stdexcept>

#include "ha/lock_id.h"
#include "ha/pg_conn.h"
#include "ha/schema.h"

namespace rb::ha {

group_status read_status(const std::string& dsn, const std::string& ha_uuid) {
  group_status out;
  out.lock_key = lock_id(ha_uuid);
  const auto deadline = [] { return mono::now() + std::chrono::seconds(10); };
  std::string error;
  auto c = pg_connection::connect(dsn, {{"application_name", "rulebook ha status"}}, deadline(), -1,
                                  error);
  if (!c)
    throw std::runtime_error("cannot connect to PostgreSQL (" + describe_dsn(dsn) + "): " + error);
  auto exists = c->query("SELECT to_regclass('rulebook_ha_leader') IS NOT NULL", {}, deadline());
  if (!exists.ok()) throw std::runtime_error(exists.error);
  if (exists.rows.empty() || exists.rows[0][0] != "t") return out;
  auto l = c->query(
      "SELECT l.worker_id, l.epoch, to_char(l.since AT TIME ZONE 'UTC', "
      "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), l.backend_pid, EXISTS (SELECT 1 FROM pg_locks k "
      "WHERE k.locktype = 'advisory' AND k.classid = $2::oid AND k.objid = $3::oid AND "
      "k.objsubid = 1 AND k.granted AND k.pid = l.backend_pid) FROM rulebook_ha_leader l "
      "WHERE l.ha_uuid = $1",
      {ha_uuid, lock_classid(out.lock_key), lock_objid(out.lock_key)}, deadline());
  if (!l.ok()) throw std::runtime_error(l.error);
  int leader_pid = 0;
  if (!l.rows.empty()) {
    const auto& r = l.rows[0];
    group_status::leader_info info{r[0], std::stoll(r[1]), r[2], std::stoi(r[3])};
    out.last_term = info;
    if (r[4] == "t") {
      out.leader = info;
      leader_pid = info.backend_pid;
    }
  }
  auto w = c->query(
      "SELECT w.worker_id, w.backend_pid, w.wait_mode, to_char(w.connected_at AT TIME ZONE "
      "'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM rulebook_ha_workers w JOIN "
      "pg_stat_activity a ON a.pid = w.backend_pid WHERE w.ha_uuid = $1 AND w.backend_pid <> $2 "
      "ORDER BY w.connected_at",
      {ha_uuid, std::to_string(leader_pid)}, deadline());
  if (!w.ok()) throw std::runtime_error(w.error);
  for (const auto& r : w.rows) out.waiting.push_back({r[0], std::stoi(r[1]), r[2], r[3]});
  return out;
}

}  // namespace rb::ha
