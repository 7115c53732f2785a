// pg_migrate: the heartbeats table in PostgreSQL, created when missing and brought in place to
// today's shape (docs/monitoring.md, "Upgrading"). Safe to run from many workers at once: the
// work happens under one session-level advisory lock (schema_lock_key()); the others wait for it
// by polling pg_try_advisory_lock (a session blocked in pg_advisory_lock would hold a snapshot
// that CREATE INDEX CONCURRENTLY waits for), then find nothing left to do.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace rb::ha {
class pg_connection;
}

namespace rb::store {

// ha::lock_id("rulebook-heartbeats-schema"): the advisory lock around the heartbeats DDL.
std::int64_t schema_lock_key();

// Creates or upgrades the table on `c` (its session settings are restored afterwards). `timeout`
// bounds each short step (a lock an ALTER waits for, a poll); the long steps (the backfill, the
// concurrent index build, the validation) have no server-side bound. "" when the table is in
// today's shape, else why not.
std::string prepare_postgres_table(ha::pg_connection& c, std::chrono::milliseconds timeout);

}  // namespace rb::store
