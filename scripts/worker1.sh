#!/usr/bin/env bash
# Worker 1 of the HA example (rulebooks/uptime_ha.yml; HA_EXAMPLE=ticks: rulebooks/ha_example.yml), in the foreground. Run scripts/worker2.sh
# in another terminal; stop either with Ctrl+C or SIGTERM and watch the other take over.
# Uses $EDA_HA_POSTGRES_DSN when set, otherwise a local throwaway PostgreSQL shared by both
# workers (scripts/pg_local.sh; stop it with `scripts/pg_local.sh stop`).
exec "$(dirname "$0")/ha_worker.sh" worker-1 "$@"
