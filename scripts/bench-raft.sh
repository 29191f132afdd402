#!/usr/bin/env bash
# Raft (3 members) measured in one session beside the chain (3 members), NATS
# JetStream R3 and etcd 3-member, with Baton's own harness (`baton bench`):
# acknowledged throughput, publish→ack latency at a fixed 20,000 msgs/s, the
# same on three `baton serve` processes, and the failover time of a SIGKILLed
# Raft leader (kill → first message acknowledged by the new leader), 10 rounds.
# Writes the raw output to docs/bench-runs/DATE-raft.txt and the JSON to
# docs/bench-runs/raft/. BENCHMARKS.md's Raft section is written from it.
# Run: make bench-raft      PEERS=0 skips NATS and etcd.
set -euo pipefail
cd "$(dirname "$0")/.."
PEERS=${PEERS:-1}
BATON=.build/release/baton
RUN=docs/bench-runs/raft
DATE=$(date -u +%F-%H%M)
RAW=docs/bench-runs/$DATE-raft.txt
TMP=$(mktemp -d -t baton-raft.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT
mkdir -p "$RUN"
swift build -c release --product baton >/dev/null
printf 'io = "pwrite"\n' > "$TMP/pwrite.toml"

source scripts/cluster-lib.sh
counter() { $BATON stat --data "$1" --compact | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# Three `baton serve` processes of MODE under $TMP/MODE (in this shell: their pids go to PIDS).
start_processes() {
  local mode=$1 dir=$TMP/$1 i
  mkdir -p "$dir"
  write_cluster "$dir/cluster.toml" 9 3 "$mode"
  for i in 0 1 2; do
    $BATON serve --config "$dir/cluster.toml" --node $i --io pwrite --log-level warning > "$dir/node-$i.out" 2>&1 &
    PIDS+=($!)
  done
  wait_listening "$dir"/node-{0,1,2}.out
}
# The client address of MODE's member that leads (chain: the head).
leader_of() {
  local dir=$TMP/$1 i
  for _ in $(seq 100); do
    for i in 0 1 2; do
      if [ "$(counter "$dir/node-$i" leadership.state)" = 1 ]; then listening_address "$dir/node-$i.out"; return; fi
    done
    sleep 0.1
  done
  echo "no leader among $dir's members" >&2; exit 1
}
stop_processes() { for p in "${PIDS[@]}"; do kill -TERM "$p"; wait "$p" || true; done; PIDS=(); }

{
echo "## session $(date -u +%FT%TZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(git rev-parse --short HEAD)"
for mode in chain raft; do
  echo "### T-$mode throughput: embedded 3-member $mode, durability batch, pwrite, 2 publishers"
  $BATON bench throughput --embedded --nodes 3 --threads one --replication $mode --tuning "$TMP/pwrite.toml" --publishers 2 --subscribers 0 --duration 10s --warmup 2s --json "$RUN/t-$mode.json" 2>/dev/null
  echo "### L-$mode latency: embedded 3-member $mode, durability batch, pwrite, 20,000 msgs/s, acks only"
  $BATON bench latency --embedded --nodes 3 --threads one --replication $mode --tuning "$TMP/pwrite.toml" --rate 20000 --duration 10s --warmup 2s --quiet --no-delivery --json "$RUN/l-$mode.json"
done
for mode in chain raft; do
  echo "### P-$mode: three baton serve processes ($mode), durability batch, pwrite"
  start_processes $mode
  LEADER=$(leader_of $mode)
  echo "publishing to $LEADER"
  $BATON bench throughput --broker "$LEADER" --publishers 2 --subscribers 0 --duration 10s --warmup 2s --json "$RUN/p-throughput-$mode.json" 2>/dev/null
  $BATON bench latency --broker "$LEADER" --rate 20000 --duration 10s --warmup 2s --quiet --no-delivery --json "$RUN/p-latency-$mode.json"
  stop_processes
  $BATON log compare "$TMP/$mode/node-0" "$TMP/$mode/node-1" "$TMP/$mode/node-2" | tail -1
done

echo "### F: Raft failover, 3 processes, leader SIGKILLed 10 times under publishing (kill -> first ack by the new leader)"
swift build -c release --build-tests >/dev/null 2>&1
swift test -c release --skip-build --filter RaftProcessTests 2>&1 | grep -E '^raft, 3 processes|passed \(|failed \('

if [ "$PEERS" = 1 ]; then
  echo "### NATS JetStream R3 (../shared/peers/nats.sh r3)"
  ../shared/peers/nats.sh r3 2>&1 | grep -E '^RESULT|^run=' | sed 's/^/nats: /'
  echo "### etcd 3 members (../shared/peers/etcd.sh 3)"
  ../shared/peers/etcd.sh 3 2>&1 | grep -E '^RESULT|^run=' | sed 's/^/etcd: /'
fi
} 2>&1 | tee "$RAW"
echo "wrote $RAW and $RUN/"
