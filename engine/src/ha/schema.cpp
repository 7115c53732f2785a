#include "ha/schema.h"

#include <cstdint>
#include <cstdio>

#include "ha/lock_id.h"

namespace rb::ha {

namespace {

constexpr const char* create_sql = R"sql(
CREATE TABLE IF NOT EXISTS rulebook_ha_leader (
  ha_uuid     text PRIMARY KEY,
  epoch       bigint NOT NULL,
  token       text NOT NULL,
  worker_id   text NOT NULL,
  backend_pid integer NOT NULL,
  since       timestamptz NOT NULL DEFAULT now(),
  released_at timestamptz
);
CREATE TABLE IF NOT EXISTS rulebook_ha_workers (
  ha_uuid      text NOT NULL,
  worker_id    text NOT NULL,
  backend_pid  integer NOT NULL,
  wait_mode    text NOT NULL,
  connected_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ha_uuid, worker_id)
);
CREATE TABLE IF NOT EXISTS rulebook_ha_state (
  ha_uuid    text NOT NULL,
  ruleset    text NOT NULL,
  kind       text NOT NULL,
  key        text NOT NULL,
  value      jsonb NOT NULL,
  seq        bigserial,
  epoch      bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ha_uuid, ruleset, kind, key)
);
CREATE TABLE IF NOT EXISTS rulebook_ha_terms (
  ha_uuid   text NOT NULL,
  epoch     bigint NOT NULL,
  worker_id text NOT NULL,
  began_at  timestamptz NOT NULL,
  PRIMARY KEY (ha_uuid, epoch)
);
-- Groups that led before this table existed: their current term is its first row.
INSERT INTO rulebook_ha_terms (ha_uuid, epoch, worker_id, began_at)
  SELECT ha_uuid, epoch, worker_id, since FROM rulebook_ha_leader
  ON CONFLICT (ha_uuid, epoch) DO NOTHING;
)sql";

}  // namespace

std::string ensure_schema(pg_connection& conn, mono::time_point deadline) {
  // Cheap check first: no lock, no DDL when the tables exist.
  auto have = conn.query(
      "SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename IN "
      "('rulebook_ha_leader','rulebook_ha_workers','rulebook_ha_state','rulebook_ha_terms') "
      "AND schemaname = ANY (current_schemas(false))",
      {}, deadline);
  if (!have.ok()) return have.error;
  if (!have.rows.empty() && have.rows[0][0] == "4") return {};
  const std::string key = std::to_string(lock_id("rulebook-ha-schema"));
  auto r = conn.query("BEGIN; SELECT pg_advisory_xact_lock(" + key + ");" + create_sql + "COMMIT;",
                      {}, deadline);
  if (!r.ok()) {
    conn.query("ROLLBACK", {}, deadline);
    return "cannot create the HA tables: " + r.error;
  }
  return {};
}

std::string notify_channel(std::int64_t lock_key) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "rulebook_ha_%016llx",
                static_cast<unsigned long long>(static_cast<std::uint64_t>(lock_key)));
  return buf;
}

std::string lock_classid(std::int64_t lock_key) {
  return std::to_string(static_cast<std::uint64_t>(lock_key) >> 32);
}

std::string lock_objid(std::int64_t lock_key) {
  return std::to_string(static_cast<std::uint64_t>(lock_key) & 0xffffffffu);
}

}  // namespace rb::ha
