#!/usr/bin/env bash
# One worker of the HA examples: scripts/ha_worker.sh WORKER_ID [extra rulebook flags]
# (scripts/worker1.sh and worker2.sh call it). Runs $RULEBOOK_BIN (default build/rulebook, built
# when missing).
#   HA_EXAMPLE=uptime (default)  rulebooks/uptime_ha.yml: the monitors of scripts/uptime_ha.sql
#                                (loaded into the HA database, idempotent) against the local demo
#                                site (build/demo_target on 127.0.0.1:8089, started when nothing
#                                listens there; it keeps running: `pkill demo_target` stops it)
#   HA_EXAMPLE=ticks             rulebooks/ha_example.yml: a Lua source that ticks once a second
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
worker=$1
shift
example=${HA_EXAMPLE:-uptime}
bin=${RULEBOOK_BIN:-$root/build/rulebook}
if [ -z "${RULEBOOK_BIN:-}" ] && { [ ! -x "$bin" ] || [ ! -x "$root/build/demo_target" ]; }; then
  "$root/scripts/deps.sh" >&2
  cmake -S "$root" -B "$root/build" -DRB_BUILD_TESTS=OFF >/dev/null
  cmake --build "$root/build" -j"$(nproc)" --target rulebook demo_target >&2
fi
if [ -z "${EDA_HA_POSTGRES_DSN:-}" ]; then
  EDA_HA_POSTGRES_DSN=$("$root/scripts/pg_local.sh" ensure)
  export EDA_HA_POSTGRES_DSN
fi
export EDA_HA_UUID=${EDA_HA_UUID:-550e8400-e29b-41d4-a716-446655440000}
case "$example" in
  ticks) rulebook=$root/rulebooks/ha_example.yml ;;
  uptime)
    rulebook=$root/rulebooks/uptime_ha.yml
    psql -q -v ON_ERROR_STOP=1 "$EDA_HA_POSTGRES_DSN" -f "$root/scripts/uptime_ha.sql" >/dev/null
    target=$(dirname "$bin")/demo_target
    if ! (exec 3<>/dev/tcp/127.0.0.1/8089) 2>/dev/null && [ -x "$target" ]; then
      nohup "$target" --port 8089 >/dev/null 2>&1 &
    fi
    set -- -v "$@"
    ;;
  *) echo "ha_worker: HA_EXAMPLE must be uptime or ticks" >&2; exit 2 ;;
esac
exec "$bin" -r "$rulebook" --ha-worker-id "$worker" \
  --ha-poll-interval "${EDA_HA_POLL_INTERVAL:-3}" "$@"
