// schema: the tables the HA workers create for themselves (idempotent, safe when several workers
// start at once: creation runs under a transaction-level advisory lock).
//   rulebook_ha_leader   one row per ha_uuid: the current term (epoch, token), who holds it, since
//                        when, and when it was released gracefully. The fencing row: every fenced
//                        write locks it FOR SHARE and checks (epoch, token) in its own transaction.
//   rulebook_ha_workers  every worker that connected, with its backend pid (ha status joins it
//                        with pg_stat_activity to list the live ones).
//   rulebook_ha_terms    every term ever begun: (ha_uuid, epoch) → worker, began_at. The heartbeat
//                        store's fence reads it: a check is kept only if it started inside a term
//                        of its worker's epoch, before the next term began.
//   rulebook_ha_state    per ha_uuid and ruleset: facts (kind 'fact') and throttle windows (kind
//                        'throttle'), written through and fenced.
#pragma once

#include <string>

#include "ha/pg_conn.h"

namespace rb::ha {

// Creates the tables if needed; returns an error message, empty on success.
std::string ensure_schema(pg_connection& conn, mono::time_point deadline);

// The NOTIFY channel of an HA group.
std::string notify_channel(std::int64_t lock_key);

// classid/objid of a bigint advisory lock in pg_locks.
std::string lock_classid(std::int64_t lock_key);
std::string lock_objid(std::int64_t lock_key);

}  // namespace rb::ha
