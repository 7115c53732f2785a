#!/usr/bin/env bash
# Installs every build and test dependency from Debian packages. Idempotent: when everything is
# present it only checks (no apt-get call). Run as root, or with sudo available.
# Extra package names as arguments are installed the same way (benchmarks pass theirs).
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libyaml-cpp-dev libpqxx-dev libluajit-5.1-dev luajit libspdlog-dev libcxxopts-dev doctest-dev
  libcurl4-openssl-dev libboost-dev nlohmann-json3-dev libre2-dev libsqlite3-dev
  libpq-dev postgresql pgbouncer procps time ccache
  libssl-dev  # the embedded HTTP server's TLS and HMAC; tests make their own CA with it
  prometheus  # tests: promtool checks /metrics
  haproxy     # tests: a load balancer in front of two HA workers
  chromium    # tests: the status page rendered headless at phone width
  ansible-core  # run_playbook / run_module: ansible-playbook and ansible run as child processes
)
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
