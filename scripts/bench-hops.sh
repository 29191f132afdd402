#!/usr/bin/env bash
# Where a durable commit's time goes (issue 15, point 2): three `baton serve`
# processes (durability batch: fdatasync on every member before the ack),
# `baton bench latency --broker HEAD --rate RATE` as the load and, at the
# same time, `baton bench hops` polling the members' counters files for the
# per-hop breakdown; beside this machine's fdatasync latency measured in the
# same session (../shared/limits: `disk_fsync lat .`, in the members' data
# folder's file system). Writes the raw output to docs/bench-runs/DATE-hops.txt.
# Run: scripts/bench-hops.sh            IO=pwrite|io_uring (default: both in turn), RATE=20000, DURATION=8s,
#      IDLE=backoff|yielding|busy-spin (default: the profile's, backoff),
#      THREADING=shared|dedicated (default: the profile's, shared),
#      ZERO_AHEAD=BYTES (the log writer's zero_ahead_bytes; 0 = off; default: the profile's, 4 MiB).
set -euo pipefail
cd "$(dirname "$0")/.."
BATON=.build/release/baton
RATE=${RATE:-20000}
DURATION=${DURATION:-8s}
IOS=${IO:-pwrite io_uring}
IDLE_FLAG=(); [ -n "${IDLE:-}" ] && IDLE_FLAG=(--idle "$IDLE")
[ -n "${THREADING:-}" ] && IDLE_FLAG+=(--threading "$THREADING")
DATE=$(date -u +%F-%H%M%S)
RAW=docs/bench-runs/$DATE-hops.txt
TMP=$(mktemp -d -p "$PWD/.build" baton-hops.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
if [ -n "${ZERO_AHEAD:-}" ]; then
  printf 'zero_ahead_bytes = %s\n' "$ZERO_AHEAD" > "$TMP/zero-ahead.toml"
  IDLE_FLAG+=(--tuning "$TMP/zero-ahead.toml")
fi
mkdir -p docs/bench-runs
swift build -c release --product baton >/dev/null
source scripts/cluster-lib.sh

{
echo "## session $(date -u +%FT%TZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(git rev-parse --short HEAD)"
echo "### limit: fdatasync latency on the members' file system (../shared/limits: disk_fsync lat)"
cp -r ../shared/limits "$TMP/limits" && make -s -C "$TMP/limits" disk_fsync >/dev/null 2>&1 && (cd "$TMP/limits" && ./disk_fsync lat . | tail -4)
for io in $IOS; do
  dir="$TMP/$io"; mkdir -p "$dir"
  write_cluster "$dir/cluster.toml" 16 3
  pids=()
  for i in 0 1 2; do
    $BATON serve --config "$dir/cluster.toml" --node $i --io "$io" "${IDLE_FLAG[@]}" --log-level warning > "$dir/node-$i.out" 2>&1 &
    pids+=($!)
  done
  wait_listening "$dir"/node-{0,1,2}.out
  HEAD=$(listening_address "$dir/node-0.out")
  echo "### $io${IDLE:+, idle $IDLE}${THREADING:+, threading $THREADING}${ZERO_AHEAD:+, zero_ahead_bytes $ZERO_AHEAD}: 3 processes, durability batch, $RATE msgs/s, 100-byte messages, acks only; hops sampled during the measured part"
  $BATON bench latency --broker "$HEAD" --rate "$RATE" --duration "$DURATION" --warmup 2s --quiet --no-delivery > "$dir/latency.txt" 2>&1 &
  load=$!
  sleep 3
  $BATON bench hops --data "$dir/node-0" --data "$dir/node-1" --data "$dir/node-2" --duration 5s
  wait "$load" || true
  grep -E "publish→ack|late" "$dir/latency.txt"
  for p in "${pids[@]}"; do kill -TERM "$p"; wait "$p" || true; done
done
} 2>&1 | tee "$RAW"
echo "wrote $RAW"
