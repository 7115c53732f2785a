// monitor_catalog_pg: the `monitors` source's config tables in PostgreSQL (core/monitor_catalog.h).
//
// Each load() runs on the catalog's own thread: one short connection (ha::pg_connection), the
// agent's datacenter when selecting by agent, then one query over api_monitors joined with
// schedules, datacenters and regions; everything bounded by the query's timeout and interrupted
// at once by the destructor. `done` is handed to `post` (the app posts it to the event loop) and
// never runs once the catalog is destroyed (destroy it on the loop).
//
// The tables (monitor_catalog_ddl below; docs/sources.md explains them): only api_monitors' id,
// name, url, schedule_id and datacenter_id are required; every other column of api_monitors is
// passed through into the monitor (NULLs left out), with these mappings: timeout_seconds →
// timeout, schedules.interval_seconds → interval, schedules.name → schedule, datacenters.name →
// datacenter, regions.name → region, `options` (jsonb) merged in, `enabled` = false skips the row.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/monitor_catalog.h"

namespace rb::store {

// Runs a callback on the event loop (from any thread).
using loop_poster = std::function<void(std::function<void()>)>;

// Opens a catalog for `q`; q.dsn empty means `default_dsn` (the HA DSN). Null with `error` when
// no DSN is left or libpq cannot parse it (passwords masked).
std::unique_ptr<monitor_catalog> open_pg_monitor_catalog(const monitor_catalog_query& q,
                                                         const std::string& default_dsn,
                                                         loop_poster post, std::string& error);

// The factory app puts into sources::source_env.
monitor_catalog_factory pg_monitor_catalogs(std::string default_dsn, loop_poster post);

// A schema that fits (CREATE TABLE IF NOT EXISTS ...): documentation, tests and benchmarks.
extern const char* const monitor_catalog_ddl;

}  // namespace rb::store
