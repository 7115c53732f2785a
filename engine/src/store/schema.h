// schema: the heartbeats table, as each store creates it when it is missing. docs/monitoring.md
// quotes both statements verbatim (a unit test checks that they stay in step).
#pragma once

#include <string>

namespace rb::store {

// PostgreSQL: timestamps are timestamptz, failed_conditions jsonb.
extern const char* const postgres_ddl;
// SQLite: timestamps are ISO 8601 UTC text with milliseconds ("2026-11-28T06:49:55.123Z", which
// sorts as time does), success is 0/1, failed_conditions JSON text.
extern const char* const sqlite_ddl;

// The failure streaks of one datacenter: (monitor_name, failed heartbeats after its last success),
// for its monitors with at least one, over rows scheduled at or after parameter 1 (text: ISO 8601
// UTC); parameter 2 is the datacenter ("" = checks without one). Walks the unique (datacenter,
// monitor_name, scheduled_at) index: one probe per monitor name, then its streak's rows.
std::string streaks_sql(bool postgres);

}  // namespace rb::store
