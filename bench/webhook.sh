#!/usr/bin/env bash
# Webhook requests per second on one core: wrk POSTs a small JSON body to rulebook's webhook
# source (a rule matching every event runs `none`) and, in the same run, to nginx (one worker)
# answering a static 200 on the same machine. Both servers are pinned to the same CPU with
# taskset and wrk to the other, so each server gets exactly one core. Then a fixed-rate run at
# RATE requests/s with bench_paced_post (Debian's wrk has no -R) for the latency distribution,
# and an RSS sample every 60 s during SOAK seconds at that rate.
#
#   bench/webhook.sh [BUILD_DIR]     env: SECONDS_EACH=10 CONNECTIONS=32 RATE=10000 SOAK=600
#
# Needs nginx and wrk (scripts/deps.sh installs them when missing; benchmark-only). Results go
# to stdout; docs/benchmarks.md keeps the recorded figures and this command.
set -euo pipefail

build=${1:-build}
secs=${SECONDS_EACH:-10}
conns=${CONNECTIONS:-32}
soak=${SOAK:-600}
rate=${RATE:-10000}
hook_port=${HOOK_PORT:-18500}
nginx_port=${NGINX_PORT:-18501}
server_cpu=${SERVER_CPU:-0}
client_cpu=${CLIENT_CPU:-1}

"$(dirname "$0")/../scripts/deps.sh" nginx wrk >&2
bin="$build/rulebook"
[ -x "$bin" ] && [ -x "$build/bench_paced_post" ] || { echo "build first (rulebook, bench_paced_post)" >&2; exit 1; }

. "$(dirname "$0")/common.sh"
bench_workdir webhook_bench

cat >"$dir/hook.yml" <<EOF
- name: bench
  hosts: all
  sources:
    - webhook:
        host: 127.0.0.1
        port: $hook_port
  rules:
    - name: every event
      condition: event.payload is defined
      action:
        none:
EOF

mkdir -p "$dir/tmp"
cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp; fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
  server {
    listen 127.0.0.1:$nginx_port;
    location / { return 200 "ok\n"; }
  }
}
EOF

cat >"$dir/post.lua" <<'EOF'
wrk.method = "POST"
wrk.body = '{"alert":"disk full","host":"web-1","severity":3}'
wrk.headers["Content-Type"] = "application/json"
EOF

taskset -c "$server_cpu" "$bin" -r "$dir/hook.yml" >"$dir/rb.log" 2>&1 &
rb_pid=$!
pids+=("$rb_pid")
taskset -c "$server_cpu" nginx -c "$dir/nginx.conf" -g 'daemon off;' &
pids+=($!)
for _ in $(seq 50); do
  curl -s -o /dev/null "http://127.0.0.1:$hook_port/ready" -d '{}' && break
  sleep 0.1
done

run() {  # url → requests/s, p50, p99 (wrk --latency)
  taskset -c "$client_cpu" wrk -t1 -c"$conns" -d"${secs}s" --latency -s "$dir/post.lua" "$1" \
    >"$dir/wrk.out"
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$dir/wrk.out")
  p50=$(awk '$1 == "50%" {print $2}' "$dir/wrk.out")
  p99=$(awk '$1 == "99%" {print $2}' "$dir/wrk.out")
  echo "$rps $p50 $p99"
}

read -r n_rps n_p50 n_p99 < <(run "http://127.0.0.1:$nginx_port/hook")
read -r r_rps r_p50 r_p99 < <(run "http://127.0.0.1:$hook_port/hook")
echo "nginx static 200:  $n_rps req/s  p50 $n_p50  p99 $n_p99"
echo "rulebook webhook:  $r_rps req/s  p50 $r_p50  p99 $r_p99"
awk -v r="$r_rps" -v n="$n_rps" 'BEGIN { printf "ratio: %.1f%% of nginx\n", 100 * r / n }'

# Latency at a fixed rate: bench_paced_post sends on an open-loop schedule (request k due at
# k/RATE) and counts each latency from its due time, so queueing shows up in the tail.
paced() {  # port → bench_paced_post's two lines
  taskset -c "$client_cpu" "$build/bench_paced_post" 127.0.0.1 "$1" /hook "$rate" "$secs" 64
}
echo "nginx at $rate req/s:    $(paced "$nginx_port" | tr '\n' ' ')"
echo "rulebook at $rate req/s: $(paced "$hook_port" | tr '\n' ' ')"

if [ "$soak" -gt 0 ]; then
  echo "soak: ${soak}s at $rate req/s, RSS (KiB) every 60 s:"
  taskset -c "$client_cpu" "$build/bench_paced_post" 127.0.0.1 "$hook_port" /hook "$rate" "$soak" 64 \
    >"$dir/soak.out" &
  client_pid=$!
  for ((t = 0; t <= soak; t += 60)); do
    echo "  t=${t}s rss=$(awk '/VmRSS/ {print $2}' /proc/$rb_pid/status)"
    [ $t -lt "$soak" ] && sleep 60
  done
  wait "$client_pid" || true
  sed 's/^/  soak: /' "$dir/soak.out"
fi
