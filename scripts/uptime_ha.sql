-- The uptime HA example's configuration (scripts/worker1.sh, worker2.sh; docs/monitoring.md):
-- the monitors source's config tables and a few demo monitors for datacenter 1. Idempotent.
-- The CREATE TABLE statements are the engine's own (store/monitor_catalog_pg.cpp; a test keeps
-- them identical).
SET client_min_messages = warning;
-- Workers started together run this at once: one transaction under an advisory lock
-- (the first 8 bytes of SHA-256('rulebook-uptime-ha-setup') as a bigint), so the
-- second one waits and then finds every table there instead of failing on CREATE TABLE.
BEGIN;
DO $$ BEGIN PERFORM pg_advisory_xact_lock(-2758322992921946839); END $$;
CREATE TABLE IF NOT EXISTS regions (
  id   bigserial PRIMARY KEY,
  name text NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS datacenters (
  id        bigserial PRIMARY KEY,
  name      text NOT NULL UNIQUE,
  region_id bigint REFERENCES regions(id)
);
CREATE TABLE IF NOT EXISTS agents (
  id            bigserial PRIMARY KEY,
  name          text NOT NULL UNIQUE,
  datacenter_id bigint NOT NULL REFERENCES datacenters(id)
);
CREATE TABLE IF NOT EXISTS schedules (
  id               bigserial PRIMARY KEY,
  name             text NOT NULL UNIQUE,
  interval_seconds double precision NOT NULL CHECK (interval_seconds > 0)
);
CREATE TABLE IF NOT EXISTS api_monitors (
  id               bigserial PRIMARY KEY,
  name             text NOT NULL,
  url              text NOT NULL,
  method           text NOT NULL DEFAULT 'GET',
  headers          jsonb NOT NULL DEFAULT '{}',
  body             text,
  timeout_seconds  double precision NOT NULL DEFAULT 10 CHECK (timeout_seconds > 0),
  expect           jsonb NOT NULL DEFAULT '{}',
  schedule_id      bigint NOT NULL REFERENCES schedules(id),
  datacenter_id    bigint NOT NULL REFERENCES datacenters(id),
  enabled          boolean NOT NULL DEFAULT true,
  verify_ssl       boolean,
  follow_redirects boolean,
  ip_version       integer CHECK (ip_version IN (4, 6)),
  proxy            text,
  ca_file          text,
  client_cert      text,
  client_key       text,
  options          jsonb NOT NULL DEFAULT '{}',
  UNIQUE (datacenter_id, name)
);
CREATE INDEX IF NOT EXISTS api_monitors_datacenter ON api_monitors (datacenter_id);

INSERT INTO regions (id, name) VALUES (1, 'us-east') ON CONFLICT DO NOTHING;
INSERT INTO datacenters (id, name, region_id) VALUES (1, 'VA', 1) ON CONFLICT DO NOTHING;
INSERT INTO agents (id, name, datacenter_id) VALUES (1, 'agent-va', 1) ON CONFLICT DO NOTHING;
INSERT INTO schedules (id, name, interval_seconds) VALUES (1, 'every-5s', 5), (2, 'every-10s', 10)
  ON CONFLICT DO NOTHING;
INSERT INTO api_monitors (name, url, schedule_id, datacenter_id, timeout_seconds, expect) VALUES
  ('healthy-page', 'http://127.0.0.1:8089/healthy', 1, 1, 5,
   '{"status": 200, "json": {"status": "ok"}, "max_response_ms": 800}'),
  ('slow-page', 'http://127.0.0.1:8089/slow', 1, 1, 3, '{"max_response_ms": 800}'),
  ('failing-page', 'http://127.0.0.1:8089/failing', 1, 1, 5, '{}'),
  ('flapping-page', 'http://127.0.0.1:8089/flapping', 1, 1, 5, '{}'),
  ('example.com', 'https://example.com/', 2, 1, 5, '{"min_cert_days": 7}')
  ON CONFLICT (datacenter_id, name) DO NOTHING;
COMMIT;
