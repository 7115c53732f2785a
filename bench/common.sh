# Sourced by the benchmark scripts: a scratch directory and the processes to stop on exit.
#   bench_workdir NAME   sets $dir (/tmp/rb_NAME.XXXXXX, readable by nginx's worker) and $pids;
#                        on exit every pid in $pids is killed and $dir removed.
bench_workdir() {
  dir=$(mktemp -d "/tmp/rb_$1.XXXXXX")
  chmod 755 "$dir"
  pids=()
  trap bench_cleanup EXIT
}

bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
