#!/usr/bin/env bash
# A throwaway local PostgreSQL for trying HA by hand (scripts/worker1.sh, worker2.sh) and for
# benchmarks. Not for production.
#   scripts/pg_local.sh ensure [DIR]   start one in DIR (default /tmp/rulebook-ha-pg) unless it
#                                      runs already; print its DSN
#   scripts/pg_local.sh stop [DIR]     stop it and remove DIR
# PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user.
set -euo pipefail
cmd=${1:-ensure}
dir=${2:-/tmp/rulebook-ha-pg}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "pg_local: PostgreSQL is not installed (scripts/deps.sh)" >&2; exit 1; }

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 - <<'PY' 2>/dev/null || echo 55432
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

case "$cmd" in
  ensure)
    mkdir -p "$dir"
    # One server for all callers; the lock is held only while checking or starting it.
    (
      flock 9
      if [ -f "$dir/dsn" ] && as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        exit 0
      fi
      rm -rf "$dir/data"
      if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
      as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust >/dev/null
      port=$(free_port)
      as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null 9>&-
      echo "postgresql://postgres@127.0.0.1:$port/postgres" >"$dir/dsn"
    ) 9>"$dir.lock"
    cat "$dir/dsn"
    ;;
  stop)
    if [ -d "$dir/data" ]; then as_pg "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null || true; fi
    rm -rf "$dir" "$dir.lock"
    ;;
  *)
    echo "usage: $0 ensure|stop [DIR]" >&2
    exit 2
    ;;
esac
