#!/bin/bash
# Alternating latency-only rounds of write paths on three `baton serve` processes (durability batch):
# each round starts a fresh cluster per profile (after a `sync`, so no earlier run's writeback rides
# on its syncs), measures publish->ack at 20,000 msgs/s for 8 s (2 s warm-up, corrected) and prints
# p50/p90/p99/p99.9 and the sends that fell behind. Row order inside a run biases (BENCHMARKS.md,
# "Three more runs"); alternating rounds are how two paths are compared.
#   scripts/ab-write-paths.sh                 ROUNDS=4 NAMES="pwrite-dedicated-za0 pwrite-dedicated"
# Profiles: uring-shared[-za0], pwrite-shared, pwrite-dedicated[-za0], uring-dedicated (-za0: zero-ahead off).
set -euo pipefail
cd "$(dirname "$0")/.."
B=.build/release/baton
source scripts/cluster-lib.sh
T=$(mktemp -d -p "$PWD/.build" ab-write-paths.XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"' EXIT
write_path_profiles "$T" ""
for round in $(seq "${ROUNDS:-4}"); do
  for name in ${NAMES:-pwrite-dedicated-za0 pwrite-dedicated}; do
    [ -f "$T/$name.toml" ] || { echo "unknown profile $name" >&2; exit 1; }
    sync
    dir="$T/$name"; mkdir -p "$dir"
    write_cluster "$dir/cluster.toml" 23 3
    pids=()
    for i in 0 1 2; do
      $B serve --config "$dir/cluster.toml" --node $i --tuning "$T/$name.toml" --log-level warning > "$dir/node-$i.out" 2>&1 &
      pids+=($!)
    done
    wait_listening "$dir"/node-{0,1,2}.out
    $B bench latency --broker "$(listening_address "$dir/node-0.out")" --rate 20000 --duration 8s --warmup 2s --quiet \
      --no-delivery --json "$dir/latency.json" > /dev/null
    python3 - "$dir/latency.json" "$round" "$name" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); a = d["ack"]["corrected"]; p = a["percentiles_us"]
print(f"round {sys.argv[2]} {sys.argv[3]:<22} publish->ack us: p50 {p['50']:7.0f}  p90 {p['90']:7.0f}  p99 {p['99']:7.0f}  "
      f"p99.9 {p['99.9']:7.0f}  sends late {d['rate']['late_sends']}")
PY
    for p in "${pids[@]}"; do kill -TERM "$p"; wait "$p" || true; done
    pids=()
    rm -rf "$dir"
  done
done
