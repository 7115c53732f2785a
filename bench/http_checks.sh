#!/usr/bin/env bash
# HTTP checks per CPU-second: rulebook's HTTP client (bench_http_checks) against
# prometheus-blackbox-exporter, both probing the same local nginx over HTTP and HTTPS with a fresh
# connection per check and the same number of checks in flight. Only the prober's own CPU counts:
# ours from getrusage inside bench_http_checks, blackbox's from /proc/PID/stat before and after
# (so neither nginx nor the load driver, wrk, is counted).
#
#   bench/http_checks.sh [BUILD_DIR]      env: SECONDS_EACH=10 CONCURRENCY=50
#
# Needs nginx, prometheus-blackbox-exporter, wrk and openssl (Debian packages): scripts/deps.sh
# installs them with apt-get when missing; they are benchmark-only, not in its own list.
# The self-signed certificate (ECDSA P-256) is made here; results go to stdout, see
# docs/benchmarks.md for recorded figures.
set -euo pipefail

build=${1:-build}
secs=${SECONDS_EACH:-10}
conc=${CONCURRENCY:-50}
http_port=${HTTP_PORT:-18080}
https_port=${HTTPS_PORT:-18443}
bb_port=${BLACKBOX_PORT:-19115}
bench="$build/bench_http_checks"

# Benchmark-only packages, installed (with the build's, when missing) by scripts/deps.sh.
"$(dirname "$0")/../scripts/deps.sh" nginx prometheus-blackbox-exporter wrk openssl >&2
if [ ! -x "$bench" ]; then
  echo "no $bench: cmake --build $build --target bench_http_checks" >&2
  exit 1
fi

. "$(dirname "$0")/common.sh"
bench_workdir http_bench

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null

# One nginx worker, no access log, no TLS session reuse: every check is a full handshake.
mkdir -p "$dir/tmp"
cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp; fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
  ssl_session_cache off;
  ssl_session_tickets off;
  server {
    listen 127.0.0.1:$http_port;
    listen 127.0.0.1:$https_port ssl;
    ssl_certificate $dir/cert.pem;
    ssl_certificate_key $dir/key.pem;
    default_type text/html;
    location / { return 200 "<!doctype html><title>ok</title><p>rulebook http_check target</p>\n"; }
  }
}
EOF
nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' &
pids+=($!)

cat >"$dir/blackbox.yml" <<EOF
modules:
  http_2xx:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
  https_2xx:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      tls_config:
        insecure_skip_verify: true
EOF
prometheus-blackbox-exporter --config.file="$dir/blackbox.yml" \
  --web.listen-address="127.0.0.1:$bb_port" --log.level=warn 2>"$dir/blackbox.log" &
bb_pid=$!
pids+=("$bb_pid")

for _ in $(seq 50); do
  curl -fsS -o /dev/null "http://127.0.0.1:$http_port/" 2>/dev/null &&
    curl -fsS -o /dev/null "http://127.0.0.1:$bb_port/" 2>/dev/null && break
  sleep 0.1
done

ticks=$(getconf CLK_TCK)
cpu_of() { awk -v t="$ticks" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$1/stat"; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

# ours PROTO URL [flags]: prints "checks_per_second checks_per_cpu_second"
ours() {
  "$bench" "$2" --concurrency "$conc" --seconds 1 "${@:3}" >/dev/null  # warm-up
  local line
  line=$("$bench" "$2" --concurrency "$conc" --seconds "$secs" "${@:3}")
  echo "ours      $1: $line" >&2
  echo "$(field checks_per_second <<<"$line") $(field checks_per_cpu_second <<<"$line")"
}

# blackbox PROTO MODULE TARGET: same figures, CPU from /proc/PID/stat of the exporter only.
blackbox() {
  local probe="http://127.0.0.1:$bb_port/probe?module=$2&target=$3"
  if ! curl -fsS "$probe" | grep -q '^probe_success 1'; then
    echo "blackbox probe of $3 fails:" >&2
    curl -sS "$probe&debug=true" >&2
    exit 1
  fi
  wrk -t 2 -c "$conc" -d 1s "$probe" >/dev/null  # warm-up
  local before after out requests elapsed cpu
  before=$(cpu_of "$bb_pid")
  out=$(wrk -t 2 -c "$conc" -d "${secs}s" "$probe")
  after=$(cpu_of "$bb_pid")
  requests=$(sed -n 's/^ *\([0-9]*\) requests in \([0-9.]*\)s.*/\1/p' <<<"$out")
  elapsed=$(sed -n 's/^ *\([0-9]*\) requests in \([0-9.]*\)s.*/\2/p' <<<"$out")
  cpu=$(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.2f", a - b }')
  if grep -q "Non-2xx" <<<"$out"; then
    echo "blackbox: some /probe requests failed:" >&2
    echo "$out" >&2
  fi
  curl -fsS "$probe" | grep -q '^probe_success 1' || echo "blackbox: probes failing at the end" >&2
  echo "blackbox  $1: checks=$requests seconds=$elapsed cpu_seconds=$cpu" >&2
  awk -v n="$requests" -v s="$elapsed" -v c="$cpu" \
    'BEGIN { printf "%.0f %.0f\n", n / s, (c > 0 ? n / c : 0) }'
}

# The floor for any OpenSSL 3 client: bare handshakes in a loop (openssl s_time -new, one
# SSL_CTX, nothing else), CPU from /usr/bin/time.
handshakes() {
  local out n cpu
  out=$( { /usr/bin/time -f "cpu %U %S" openssl s_time -connect "127.0.0.1:$https_port" -new \
    -time "$secs" >"$dir/s_time.txt"; } 2>&1)
  n=$(sed -n 's/^\([0-9]*\) connections in [0-9.]* real seconds.*/\1/p' "$dir/s_time.txt")
  cpu=$(awk '/^cpu/ { printf "%.2f", $2 + $3 }' <<<"$out")
  echo "openssl s_time -new: handshakes=$n cpu_seconds=$cpu" >&2
  awk -v n="$n" -v c="$cpu" -v s="$secs" 'BEGIN { printf "%.0f %.0f\n", n / s, (c > 0 ? n / c : 0) }'
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs; ${secs}s each, $conc in flight" >&2
read -r ours_http_rate ours_http_cpu < <(ours http "http://127.0.0.1:$http_port/")
read -r ours_https_rate ours_https_cpu < <(ours https "https://127.0.0.1:$https_port/" --insecure)
read -r ours_verified_rate ours_verified_cpu \
  < <(ours https+verify "https://127.0.0.1:$https_port/" --ca "$dir/cert.pem")
read -r bb_http_rate bb_http_cpu < <(blackbox http http_2xx "http://127.0.0.1:$http_port/")
read -r bb_https_rate bb_https_cpu < <(blackbox https https_2xx "https://127.0.0.1:$https_port/")
read -r floor_rate floor_cpu < <(handshakes)
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }
echo
echo "| prober | protocol | checks/s | checks per CPU-second |"
echo "|---|---|---:|---:|"
echo "| rulebook client | HTTP | $ours_http_rate | $ours_http_cpu |"
echo "| blackbox_exporter | HTTP | $bb_http_rate | $bb_http_cpu |"
echo "| rulebook client | HTTPS (no verify) | $ours_https_rate | $ours_https_cpu |"
echo "| blackbox_exporter | HTTPS (insecure_skip_verify) | $bb_https_rate | $bb_https_cpu |"
echo "| rulebook client | HTTPS (verified, ca_file) | $ours_verified_rate | $ours_verified_cpu |"
echo "| openssl s_time -new (handshakes only, 1 in flight) | TLS | $floor_rate | $floor_cpu |"
echo
echo "ratio per CPU-second, ours / blackbox: HTTP $(ratio "$ours_http_cpu" "$bb_http_cpu")x," \
  "HTTPS $(ratio "$ours_https_cpu" "$bb_https_cpu")x"
