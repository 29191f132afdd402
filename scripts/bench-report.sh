#!/usr/bin/env bash
# Measures Baton and the references it is compared with, in one session: the
# C limits, rings, CRC, the log, the single node and NATS R1 (raw output to
# docs/bench-runs/DATE-bench-report.txt, the harness's JSON to
# docs/bench-runs/single/), then the 3-node chain beside NATS R3 and etcd
# (scripts/bench-chain.sh), and rewrites every generated table of
# BENCHMARKS.md (scripts/render-benchmarks.py). Run: make bench-report
#   RUNS=3          runs of each C limit program
#   PEERS=1         also run ../shared/peers/nats.sh r1 (installs nats-server)
#   DATA=/tmp/...   where log and node data go (fresh folders, removed after)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
PEERS=${PEERS:-1}
DATA=${DATA:-$(mktemp -d -t baton-bench.XXXXXX)}
LIMITS=${LIMITS:-/tmp/baton-limits}
BATON=.build/release/baton
RAW=docs/bench-runs/$(date -u +%F-%H%M)-bench-report.txt
RUN=docs/bench-runs/single
mkdir -p "$RUN"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$DATA"; }
trap cleanup EXIT

swift build -c release --product baton >/dev/null
{
echo "## session $(date -u +%FT%TZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(git rev-parse --short HEAD)"
rm -rf "$LIMITS" && cp -r ../shared/limits "$LIMITS" && make -s -C "$LIMITS" >/dev/null

run_limit() { for _ in $(seq "$RUNS"); do (cd "$LIMITS" && timeout 20 "$@") || true; done; }

echo "### rings: C limit, then Baton (BATON_RING_THROUGHPUT test, same pinning: producer(s) CPU 0, consumer CPU 1)"
run_limit ./spsc tput 64 | sed 's/^/c: /'
run_limit ./mpsc 2 | sed 's/^/c: /'
BATON_RING_THROUGHPUT=1 BATON_RING_THROUGHPUT_RUNS=$RUNS swift test -c release --filter RingBufferThroughputTests 2>&1 \
  | grep -E '^ring_' | sed 's/^/baton: /'

echo "### CRC32C (Baton, 64 KiB buffers, per CPU-second)"
BATON_MEASURE=1 swift test -c release --filter CRC32CThroughput 2>&1 | grep -iE 'GB/s' | head -5 | sed 's/^/baton: /'

echo "### disk: C limits, then Baton's log (100-byte messages)"
run_limit ./disk_fsync group "$DATA" | sed 's/^/c: /'
run_limit ./uring_check "$DATA" | sed 's/^/c: /'
$BATON log bench --data "$DATA" --policy none --count 3000000 --size 100 | sed 's/^/baton: /'
$BATON log bench --data "$DATA" --policy batch --count 2000000 --size 100 | sed 's/^/baton: /'
$BATON log bench --data "$DATA" --policy batch --count 500000 --size 100 --rate 50000 | sed 's/^/baton: /'

echo "### single node (durability batch), 100-byte messages"
$BATON serve --data "$DATA/node" --listen 127.0.0.1:17600 --log-level warning >"$DATA/node.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q listening "$DATA/node.out" 2>/dev/null && break; sleep 0.1; done
$BATON bench throughput --broker 127.0.0.1:17600 --publishers 1 --subscribers 0 --count 1000000 --warmup 0s --json "$RUN/throughput-1.json" 2>/dev/null | sed 's/^/baton: /'
$BATON bench throughput --broker 127.0.0.1:17600 --publishers 4 --subscribers 0 --count 500000 --warmup 0s --json "$RUN/throughput-4.json" 2>/dev/null | sed 's/^/baton: /'
$BATON bench latency --broker 127.0.0.1:17600 --rate 50000 --duration 10s --warmup 2s --quiet --hgrm "$RUN/latency.hgrm" --json "$RUN/latency.json" | sed 's/^/baton: /'
# A stalled subscriber (SIGSTOP: it reads nothing) must not slow publishers.
$BATON subscribe --broker 127.0.0.1:17600 --stream all --from earliest >/dev/null &
SUB=$!; PIDS+=($SUB); sleep 0.5; kill -STOP $SUB
$BATON bench throughput --broker 127.0.0.1:17600 --publishers 4 --subscribers 0 --count 500000 --warmup 0s --json "$RUN/throughput-stalled.json" 2>/dev/null | sed 's/^/baton (stalled subscriber attached): /'
kill -CONT $SUB; kill $SUB 2>/dev/null || true
$BATON stat --data "$DATA/node" --compact | sed 's/^/stat: /'

if [ "$PEERS" = 1 ]; then
  echo "### NATS JetStream R1 (../shared/peers/nats.sh r1)"
  ../shared/peers/nats.sh r1 2>&1 | grep -E '^RESULT|^run=' | sed 's/^/nats: /'
fi
} 2>&1 | tee "$RAW"
python3 scripts/render-benchmarks.py single "$RAW" "$RUN"
scripts/bench-chain.sh
