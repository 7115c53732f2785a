#!/usr/bin/env bash
# The whole test suite, from a fresh machine: dependencies, a release build with every unit and
# integration test, then the same tests under AddressSanitizer + UndefinedBehaviorSanitizer.
# Set RB_SKIP_SANITIZE=1 to skip the sanitizer pass locally.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
jobs=$(nproc)
# ccache outlives the clone CI builds in: hash paths relative to the checkout, not absolute.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}

echo "== release build and tests"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRB_BUILD_TESTS=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")

if [ "${RB_SKIP_SANITIZE:-0}" != "1" ]; then
  echo "== sanitizer build (address,undefined) and tests"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DRB_SANITIZE=address,undefined \
    -DRB_BUILD_TESTS=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  # The release pass holds the 60 s latency scenario; 20 s proves the same under sanitizers.
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    RB_HA_LATENCY_SECONDS=20 ctest --output-on-failure -j"$jobs")
fi
