#include "store/schema.h"

namespace rb::store {

const char* const postgres_ddl = R"sql(CREATE TABLE IF NOT EXISTS heartbeats (
  monitor_id        bigint,
  monitor_name      text NOT NULL,
  worker_id         text NOT NULL,
  datacenter        text NOT NULL DEFAULT '',
  region            text,
  scheduled_at      timestamptz NOT NULL,
  started_at        timestamptz NOT NULL,
  success           boolean NOT NULL,
  status_code       integer,
  dns_ms            double precision NOT NULL,
  connect_ms        double precision NOT NULL,
  tls_ms            double precision NOT NULL,
  ttfb_ms           double precision NOT NULL,
  transfer_ms       double precision NOT NULL,
  total_ms          double precision NOT NULL,
  response_bytes    bigint NOT NULL,
  cert_expires_at   timestamptz,
  failed_conditions jsonb NOT NULL DEFAULT '[]',
  error             text,
  ha_epoch          bigint,
  UNIQUE (datacenter, monitor_name, scheduled_at)
);
CREATE INDEX IF NOT EXISTS heartbeats_scheduled_at_idx ON heartbeats (scheduled_at);)sql";

const char* const sqlite_ddl = R"sql(CREATE TABLE IF NOT EXISTS heartbeats (
  monitor_id        INTEGER,
  monitor_name      TEXT NOT NULL,
  worker_id         TEXT NOT NULL,
  datacenter        TEXT NOT NULL DEFAULT '',
  region            TEXT,
  scheduled_at      TEXT NOT NULL,
  started_at        TEXT NOT NULL,
  success           INTEGER NOT NULL,
  status_code       INTEGER,
  dns_ms            REAL NOT NULL,
  connect_ms        REAL NOT NULL,
  tls_ms            REAL NOT NULL,
  ttfb_ms           REAL NOT NULL,
  transfer_ms       REAL NOT NULL,
  total_ms          REAL NOT NULL,
  response_bytes    INTEGER NOT NULL,
  cert_expires_at   TEXT,
  failed_conditions TEXT NOT NULL DEFAULT '[]',
  error             TEXT,
  ha_epoch          INTEGER,
  UNIQUE (datacenter, monitor_name, scheduled_at)
);
CREATE INDEX IF NOT EXISTS heartbeats_scheduled_at_idx ON heartbeats (scheduled_at);)sql";

std::string streaks_sql(bool postgres) {
  // A loose index scan for the datacenter's names (no DISTINCT over the whole table), then per
  // name the newest success and the rows after it, all on the unique (datacenter, monitor_name,
  // scheduled_at) index. `since` bounds both, so a long outage costs its window only.
  const std::string since = postgres ? "$1::timestamptz" : "?1";
  const std::string dc = postgres ? "$2::text" : "?2";
  const std::string succeeded = postgres ? "s.success" : "s.success <> 0";
  const std::string never = postgres ? "'-infinity'::timestamptz" : "''";
  return "WITH RECURSIVE names(name) AS (SELECT min(monitor_name) FROM heartbeats WHERE "
         "datacenter = " +
         dc +
         " UNION ALL SELECT (SELECT min(h.monitor_name) FROM heartbeats h WHERE h.datacenter = " +
         dc +
         " AND h.monitor_name > n.name) FROM names n WHERE n.name IS NOT NULL), "
         "f AS MATERIALIZED (SELECT n.name, (SELECT count(*) FROM heartbeats h "
         "WHERE h.datacenter = " +
         dc + " AND h.monitor_name = n.name AND h.scheduled_at >= " + since +
         " AND h.scheduled_at > coalesce((SELECT s.scheduled_at FROM heartbeats s "
         "WHERE s.datacenter = " +
         dc + " AND s.monitor_name = n.name AND s.scheduled_at >= " + since + " AND " + succeeded +
         " ORDER BY s.scheduled_at DESC LIMIT 1), " + never +
         ")) AS failures FROM names n WHERE n.name IS NOT NULL) "
         "SELECT name, failures FROM f WHERE failures > 0";
}

}  // namespace rb::store
