// old_schema: the heartbeats DDL of the releases before locations (datacenter nullable, UNIQUE
// (monitor_name, scheduled_at)), verbatim, for the tests that upgrade such a database in place.
#pragma once

namespace rb::test {

inline constexpr const char* old_postgres_ddl = R"sql(CREATE TABLE IF NOT EXISTS heartbeats (
  monitor_id        bigint,
  monitor_name      text NOT NULL,
  worker_id         text NOT NULL,
  datacenter        text,
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
  UNIQUE (monitor_name, scheduled_at)
);
CREATE INDEX IF NOT EXISTS heartbeats_scheduled_at_idx ON heartbeats (scheduled_at);)sql";

inline constexpr const char* old_sqlite_ddl = R"sql(CREATE TABLE IF NOT EXISTS heartbeats (
  monitor_id        INTEGER,
  monitor_name      TEXT NOT NULL,
  worker_id         TEXT NOT NULL,
  datacenter        TEXT,
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
  UNIQUE (monitor_name, scheduled_at)
);
CREATE INDEX IF NOT EXISTS heartbeats_scheduled_at_idx ON heartbeats (scheduled_at);)sql";

}  // namespace rb::test
