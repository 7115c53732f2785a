#!/usr/bin/env bash
# Builds rulebook and runs the main job on an example rulebook (no PostgreSQL needed).
# Extra arguments go to rulebook, e.g. scripts/demo.sh -v
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target rulebook
exec ./build/rulebook -r rulebooks/hello.yml "$@"
