#!/usr/bin/env bash
# The replication transport alone (issue 15, point 4): two members, durability
# none (nothing waits for a disk), over loopback UDP — replicated msgs/s and
# MB/s for 32- and 100-byte messages, and a ping-pong round trip (publish →
# ack with one message in flight), embedded and as two `baton serve`
# processes; beside this machine's UDP datagram limit (../shared/limits,
# `udp mmsg 1408`) measured in the same session. Writes the raw output to
# docs/bench-runs/DATE-transport.txt.
# Run: scripts/bench-transport.sh            DURATION=10s by default.
set -euo pipefail
cd "$(dirname "$0")/.."
BATON=.build/release/baton
DURATION=${DURATION:-10s}
DATE=$(date -u +%F-%H%M)
RAW=docs/bench-runs/$DATE-transport.txt
TMP=$(mktemp -d -t baton-transport.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT   # the block below runs in a subshell (the pipe): it stops its own servers
mkdir -p docs/bench-runs
swift build -c release --product baton >/dev/null
source scripts/cluster-lib.sh

{
echo "## session $(date -u +%FT%TZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(git rev-parse --short HEAD)"
echo "### limit: UDP loopback datagrams (../shared/limits: udp mmsg 1408)"
cp -r ../shared/limits "$TMP/limits" && make -s -C "$TMP/limits" udp >/dev/null 2>&1 && (cd "$TMP/limits" && ./udp mmsg 1408 | tail -5)
for size in 100 32; do
  echo "### E-T$size throughput: embedded, 2 members, durability none, $size-byte messages, 2 publishers"
  $BATON bench throughput --embedded --nodes 2 --threads one --durability none --size $size --publishers 2 --subscribers 0 --duration "$DURATION" --warmup 2s 2>/dev/null
done
echo "### E-RTT ping-pong: embedded, 2 members, durability none, 32-byte messages, 1 in flight (window 1, 5,000/s)"
$BATON bench latency --embedded --nodes 2 --threads one --durability none --size 32 --window 1 --rate 5000 --duration "$DURATION" --warmup 2s --no-delivery --quiet

echo "### P: two baton serve processes (serve --config FILE --node i), durability none"
write_cluster "$TMP/cluster.toml" 15 2
for i in 0 1; do
  $BATON serve --config "$TMP/cluster.toml" --node $i --durability none --log-level warning > "$TMP/node-$i.out" 2>&1 &
  PIDS+=($!)
done
wait_listening "$TMP"/node-{0,1}.out
HEAD=$(listening_address "$TMP/node-0.out")
for size in 100 32; do
  echo "### P-T$size throughput: 2 processes, durability none, $size-byte messages, 2 publishers"
  $BATON bench throughput --broker "$HEAD" --size $size --publishers 2 --subscribers 0 --duration "$DURATION" --warmup 2s 2>/dev/null
done
echo "### P-RTT ping-pong: 2 processes, durability none, 32-byte messages, 1 in flight (window 1, 5,000/s)"
$BATON bench latency --broker "$HEAD" --size 32 --window 1 --rate 5000 --duration "$DURATION" --warmup 2s --no-delivery --quiet
$BATON stat --data "$TMP/node-1" | grep -E "datagrams|bytesSent|retransmits" | head -6 || true
for p in "${PIDS[@]}"; do kill -TERM "$p"; wait "$p" || true; done
} 2>&1 | tee "$RAW"
echo "wrote $RAW"
