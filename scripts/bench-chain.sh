#!/usr/bin/env bash
# Chain replication (3 nodes) measured in one session beside NATS JetStream R3
# and etcd 3-member, with Baton's own harness (`baton bench`). Writes the raw
# output to docs/bench-runs/DATE-chain.txt, the JSON, .hgrm and .hlog files
# and the latency plot to docs/bench-runs/chain/, then regenerates the
# generated section of BENCHMARKS.md (scripts/render-benchmarks.py).
# Run: make bench-chain      PEERS=0 skips NATS and etcd.
set -euo pipefail
cd "$(dirname "$0")/.."
PEERS=${PEERS:-1}
BATON=.build/release/baton
RUN=docs/bench-runs/chain
DATE=$(date -u +%F-%H%M)
RAW=docs/bench-runs/$DATE-chain.txt
TMP=$(mktemp -d -t baton-chain.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT
mkdir -p "$RUN"
swift build -c release --product baton >/dev/null
printf 'io = "pwrite"\n' > "$TMP/pwrite.toml"
printf 'io = "io_uring"\n' > "$TMP/uring.toml"

source scripts/cluster-lib.sh

{
# The block runs in a subshell (piped to tee): it needs its own trap to stop the members it starts on an error.
trap cleanup EXIT
echo "## session $(date -u +%FT%TZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(git rev-parse --short HEAD)"

echo "### T1 throughput: embedded 3-node chain, durability batch, io_uring, 2 publishers"
$BATON bench throughput --embedded --nodes 3 --threads one --tuning "$TMP/uring.toml" --publishers 2 --subscribers 0 --duration 10s --warmup 2s --json "$RUN/t1-throughput-uring.json" 2>/dev/null
echo "### T2 throughput: embedded 3-node chain, durability batch, pwrite, 2 publishers"
$BATON bench throughput --embedded --nodes 3 --threads one --tuning "$TMP/pwrite.toml" --publishers 2 --subscribers 0 --duration 10s --warmup 2s --json "$RUN/t2-throughput-pwrite.json" 2>/dev/null

echo "### L1 latency: embedded 3-node chain, durability batch, pwrite, 20,000 msgs/s, a subscriber on every node"
$BATON bench latency --embedded --nodes 3 --threads one --tuning "$TMP/pwrite.toml" --rate 20000 --duration 10s --warmup 2s --quiet \
  --hgrm "$RUN/l1.hgrm" --hlog "$RUN/l1.hlog" --json "$RUN/l1-latency-pwrite.json" --plot "$RUN/chain-latency.svg"
echo "### L2 latency: embedded 3-node chain, durability batch, io_uring, 20,000 msgs/s, acks only"
$BATON bench latency --embedded --nodes 3 --threads one --tuning "$TMP/uring.toml" --rate 20000 --duration 10s --warmup 2s --quiet --no-delivery --json "$RUN/l2-latency-uring.json"
echo "### L3 latency: embedded 3-node chain, durability none (NATS's guarantee), pwrite, 20,000 msgs/s, acks only"
$BATON bench latency --embedded --nodes 3 --threads one --tuning "$TMP/pwrite.toml" --durability none --rate 20000 --duration 10s --warmup 2s --quiet --no-delivery --json "$RUN/l3-latency-none.json"
echo "### L4 latency: embedded 3-node chain, durability batch, pwrite, 2,000 msgs/s, acks only"
$BATON bench latency --embedded --nodes 3 --threads one --tuning "$TMP/pwrite.toml" --rate 2000 --duration 10s --warmup 2s --quiet --no-delivery --json "$RUN/l4-latency-2k.json"

echo "### P: three baton serve processes (serve --config FILE --node i), durability batch, pwrite"
write_cluster "$TMP/cluster.toml" 9 3
for i in 0 1 2; do
  $BATON serve --config "$TMP/cluster.toml" --node $i --io pwrite --log-level warning > "$TMP/node-$i.out" 2>&1 &
  PIDS+=($!)
done
wait_listening "$TMP"/node-{0,1,2}.out
HEAD=$(listening_address "$TMP/node-0.out")
TAIL=$(listening_address "$TMP/node-2.out")
$BATON bench throughput --broker "$HEAD" --broker "$TAIL" --publishers 2 --subscribers 1 --duration 10s --warmup 2s --json "$RUN/p1-throughput-processes.json" 2>/dev/null
$BATON bench latency --broker "$HEAD" --rate 20000 --duration 10s --warmup 2s --quiet --no-delivery --json "$RUN/p2-latency-processes.json"
$BATON stat --data "$TMP/node-1" | sed -n 1,6p   # sed reads it all: head would end stat with SIGPIPE
for p in "${PIDS[@]}"; do kill -TERM "$p"; wait "$p" || true; done
PIDS=()
$BATON log compare "$TMP/node-0" "$TMP/node-1" "$TMP/node-2" | tail -2

echo "### W: write paths, three baton serve processes, durability batch: publish->ack at 20,000 msgs/s (two passes, forward then reverse order), then acked throughput (2 publishers)"
# Each write path is a tuning profile; "default" is tuning/default.toml (what make run uses).
# zero-ahead is on unless the name says za0 (zero_ahead_bytes = 0). A row's position in a run
# biases it (the first ran faster than its identical twin later, 2026-12-05), so latency is
# measured in two passes of opposite order, and the throughput runs (GBs written) come after.
write_path_profiles "$TMP" w-
cp tuning/default.toml "$TMP/w-default.toml"
W_NAMES="default uring-shared-za0 uring-shared pwrite-shared pwrite-dedicated-za0 pwrite-dedicated uring-dedicated"
w_cluster() {   # w_cluster NAME: a fresh 3-process cluster with profile NAME; sets HEAD
  local name=$1 dir="$TMP/w-$1"
  rm -rf "$dir"; mkdir -p "$dir"
  sync
  write_cluster "$dir/cluster.toml" 19 3
  for i in 0 1 2; do
    $BATON serve --config "$dir/cluster.toml" --node $i --tuning "$TMP/w-$name.toml" --log-level warning > "$dir/node-$i.out" 2>&1 &
    PIDS+=($!)
  done
  wait_listening "$dir"/node-{0,1,2}.out
  HEAD=$(listening_address "$dir/node-0.out")
}
w_stop() { for p in "${PIDS[@]}"; do kill -TERM "$p"; wait "$p" || true; done; PIDS=(); rm -rf "$TMP/w-$1"; }
for pass in 1 2; do
  names=$W_NAMES; [ $pass = 2 ] && names=$(echo $W_NAMES | tr ' ' '\n' | tac | paste -sd' ')
  for name in $names; do
    w_cluster "$name"
    echo "#### latency pass $pass, $name: $(grep -E '^(io|threading|idle|zero_ahead_bytes) ' "$TMP/w-$name.toml" | sed 's/ *#.*//' | paste -sd' ')"
    $BATON bench latency --broker "$HEAD" --rate 20000 --duration 10s --warmup 2s --quiet --no-delivery --json "$RUN/w-$name-latency-$pass.json" | grep -E '^sent|^acknowledged' || true
    w_stop "$name"
  done
done
for name in $W_NAMES; do
  w_cluster "$name"
  echo "#### throughput, $name"
  $BATON bench throughput --broker "$HEAD" --publishers 2 --subscribers 0 --duration 8s --warmup 2s --quiet --json "$RUN/w-$name-throughput.json" 2>/dev/null | grep '^acknowledged' || true
  w_stop "$name"
done

if [ "$PEERS" = 1 ]; then
  echo "### NATS JetStream R3 (../shared/peers/nats.sh r3)"
  ../shared/peers/nats.sh r3 2>&1 | grep -E '^RESULT|^run=' | sed 's/^/nats: /'
  echo "### etcd 3 members (../shared/peers/etcd.sh 3)"
  ../shared/peers/etcd.sh 3 2>&1 | grep -E '^RESULT|^run=' | sed 's/^/etcd: /'
fi
} 2>&1 | tee "$RAW"
python3 scripts/render-benchmarks.py chain "$RAW" "$RUN"
echo "wrote $RAW, $RUN/, and the generated section of BENCHMARKS.md"
