#!/usr/bin/env bash
# One worker of the HA example: scripts/ha_worker.sh WORKER_ID [extra rulebook flags]
# (scripts/worker1.sh and worker2.sh call it). Runs $RULEBOOK_BIN (default build/rulebook, built
# when missing).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
worker=$1
shift
bin=${RULEBOOK_BIN:-$root/build/rulebook}
if [ -z "${RULEBOOK_BIN:-}" ] && [ ! -x "$bin" ]; then
  "$root/scripts/deps.sh" >&2
  cmake -S "$root" -B "$root/build" -DRB_BUILD_TESTS=OFF >/dev/null
  cmake --build "$root/build" -j"$(nproc)" --target rulebook >&2
fi
if [ -z "${EDA_HA_POSTGRES_DSN:-}" ]; then
  EDA_HA_POSTGRES_DSN=$("$root/scripts/pg_local.sh" ensure)
  export EDA_HA_POSTGRES_DSN
fi
export EDA_HA_UUID=${EDA_HA_UUID:-550e8400-e29b-41d4-a716-446655440000}
exec "$bin" -r "$root/rulebooks/ha_example.yml" --ha-worker-id "$worker" \
  --ha-poll-interval "${EDA_HA_POLL_INTERVAL:-3}" "$@"
