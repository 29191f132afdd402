#!/bin/bash
# Acked throughput of three `baton serve` processes (durability batch, 2 publishers, 100-byte
# messages, 8 s after 2 s) for each storage / threading pair, one run each: the throughput
# column of the profile table in BENCHMARKS.md ("Where a durable commit's time goes").
# Run: scripts/bench-serve-profiles.sh
cd "$(dirname "$0")/.."
B=.build/release/baton
free_port() { python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET, getattr(socket, sys.argv[1])); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' "$1"; }
for cfg in "io_uring shared" "pwrite dedicated" "io_uring dedicated" "pwrite shared"; do
  set -- $cfg
  dir=$(mktemp -d -p .build tput.XXXXXX)
  { echo "cluster_id = 17"; for i in 0 1 2; do printf '[[member]]\nid = %d\nreplication = "127.0.0.1:%d"\nclient = "127.0.0.1:%d"\ndata = "node-%d"\n' "$i" "$(free_port SOCK_DGRAM)" "$(free_port SOCK_STREAM)" "$i"; done; } > "$dir/cluster.toml"
  pids=()
  for i in 0 1 2; do $B serve --config "$dir/cluster.toml" --node $i --io $1 --threading $2 --log-level warning > "$dir/node-$i.out" 2>&1 & pids+=($!); done
  for i in 0 1 2; do for _ in $(seq 100); do grep -q listening "$dir/node-$i.out" 2>/dev/null && break; sleep 0.1; done; done
  HEAD=$(grep -o 'listening on [0-9.:]*' "$dir/node-0.out" | cut -d' ' -f3)
  echo "$cfg: $($B bench throughput --broker "$HEAD" --publishers 2 --subscribers 0 --duration 8s --warmup 2s --quiet 2>&1 | grep '^acknowledged')"
  for p in "${pids[@]}"; do kill -TERM $p; wait $p; done
  rm -rf "$dir"
done
