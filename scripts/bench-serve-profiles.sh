#!/bin/bash
# Acked throughput of three `baton serve` processes (durability batch, 2 publishers, 100-byte
# messages, 8 s after 2 s) for each storage / threading pair, one run each: the throughput
# column of the profile table in BENCHMARKS.md ("Where a durable commit's time goes").
# Run: scripts/bench-serve-profiles.sh
cd "$(dirname "$0")/.."
B=.build/release/baton
source scripts/cluster-lib.sh
for cfg in "io_uring shared" "pwrite dedicated" "io_uring dedicated" "pwrite shared"; do
  set -- $cfg
  dir=$(mktemp -d -p .build tput.XXXXXX)
  write_cluster "$dir/cluster.toml" 17 3
  pids=()
  for i in 0 1 2; do $B serve --config "$dir/cluster.toml" --node $i --io $1 --threading $2 --log-level warning > "$dir/node-$i.out" 2>&1 & pids+=($!); done
  wait_listening "$dir"/node-{0,1,2}.out
  HEAD=$(listening_address "$dir/node-0.out")
  echo "$cfg: $($B bench throughput --broker "$HEAD" --publishers 2 --subscribers 0 --duration 8s --warmup 2s --quiet 2>&1 | grep '^acknowledged')"
  for p in "${pids[@]}"; do kill -TERM $p; wait $p; done
  rm -rf "$dir"
done
