#!/usr/bin/env bash
# Chaos run of a 3-member chain with automatic failover, as separate processes:
#   scripts/chaos-failover.sh [SECONDS] [KILL_EVERY] [OUT]
# For SECONDS (default 600) a random member is SIGKILLed every KILL_EVERY
# seconds (default 5) and restarted 1-4 s later on its data (it rejoins as
# the tail), while one producer publishes batches of 10,000 generated
# 100-byte messages through `baton publish --broker` with every member
# listed (a batch that fails is published again with the same producer id
# and sequences: the broker drops what it already logged). Then every member
# is up, the chain settles, and each member's log is read back with
# `baton subscribe --verify` (every acknowledged message exactly once, in
# order) and the logs are compared (`baton log compare`). Prints a table of
# acknowledged throughput per batch, the kills, the configuration changes,
# and the longest write outage (the longest gap between two acknowledged
# batches' ends, minus a batch's normal time). Exit 1 on any failed check.
# Not in `make test` (it takes SECONDS); BENCHMARKS.md has a run.
set -euo pipefail
SECONDS_TOTAL=${1:-600}
KILL_EVERY=${2:-5}
OUT=${3:-$(mktemp -d /tmp/baton-chaos.XXXXXX)}
BATON=${BATON:-.build/release/baton}
[ -x "$BATON" ] || { echo "error: $BATON not built (swift build -c release --product baton)" >&2; exit 1; }
mkdir -p "$OUT"
source "$(dirname "$0")/cluster-lib.sh"
CONFIG="$OUT/cluster.toml"
write_cluster "$CONFIG" 77 3 chain failover
BROKERS=$(cluster_brokers "$CONFIG")
# Each member's current process id is in $OUT/pid-N (the killer and the final
# restart both go through it: every process this script starts, it stops by id).
start() {
  "$BATON" serve --config "$CONFIG" --node "$1" --log-level warning >> "$OUT/node-$1.log" 2>&1 &
  echo $! > "$OUT/pid-$1"
}
running() { [ -f "$OUT/pid-$1" ] && kill -0 "$(cat "$OUT/pid-$1")" 2>/dev/null; }
stop_member() { if running "$1"; then kill -9 "$(cat "$OUT/pid-$1")"; wait "$(cat "$OUT/pid-$1")" 2>/dev/null || true; fi; }
cleanup() { for i in 0 1 2; do stop_member "$i" 2>/dev/null || true; done; }
trap cleanup EXIT
for i in 0 1 2; do start "$i"; done
sleep 2

# The killer: a random member every KILL_EVERY s, back after 1-4 s.
(
  end=$(( $(date +%s) + SECONDS_TOTAL ))
  while [ "$(date +%s)" -lt "$end" ]; do
    sleep "$KILL_EVERY"
    victim=$(( RANDOM % 3 ))
    echo "$(date +%s.%N) kill $victim" >> "$OUT/kills.txt"
    stop_member "$victim"
    sleep $(( 1 + RANDOM % 4 ))
    start "$victim"
    echo "$(date +%s.%N) start $victim" >> "$OUT/kills.txt"
  done
) &
KILLER=$!

PRODUCER=4242
BATCH=10000
# A pause between batches keeps the logs to a few GB over ten minutes (the
# publisher alone takes ~500,000 msgs/s here): about 20,000 msgs/s offered.
PAUSE=${PAUSE:-0.5}
next=0
started=$(date +%s.%N)
echo "batch first_sequence ended_at_s seconds acked_msgs_per_s attempts" > "$OUT/batches.txt"
end=$(( $(date +%s) + SECONDS_TOTAL ))
while [ "$(date +%s)" -lt "$end" ]; do
  attempts=0
  t0=$(date +%s.%N)
  until "$BATON" publish --broker "$BROKERS" --stream 1 --count "$BATCH" --size 100 --producer-id "$PRODUCER" \
        --first-sequence "$next" --retries 1000 --timeout 60 >> "$OUT/publish.log" 2>&1; do
    attempts=$(( attempts + 1 ))
    [ "$attempts" -lt 100 ] || { echo "error: batch at $next failed 100 times" >&2; exit 1; }
  done
  t1=$(date +%s.%N)
  awk -v b="$(( next / BATCH ))" -v f="$next" -v s="$started" -v t0="$t0" -v t1="$t1" -v n="$BATCH" -v a="$attempts" \
      'BEGIN { printf "%d %d %.1f %.2f %.0f %d\n", b, f, t1 - s, t1 - t0, n / (t1 - t0), a + 1 }' >> "$OUT/batches.txt"
  next=$(( next + BATCH ))
  sleep "$PAUSE"
done
wait "$KILLER" || true
# Every member up (one may have been killed last), then time to rejoin.
for i in 0 1 2; do running "$i" || start "$i"; done
deadline=$(( $(date +%s) + 120 ))
while :; do
  roles=$("$BATON" admin status --config "$CONFIG" --json 2>/dev/null | grep -o '"role" *: *"[a-z]*"' | sort | tr '\n' ' ' || true)
  case "$roles" in *head*middle*tail*) break ;; esac
  [ "$(date +%s)" -lt "$deadline" ] || { echo "error: the chain did not settle with three members: $roles" >&2; exit 1; }
  sleep 1
done
failed=0
for i in 0 1 2; do
  if ! "$BATON" subscribe --broker "$(member_client "$CONFIG" "$i")" --stream 1 --count "$next" --verify --timeout 120 > "$OUT/verify-$i.txt" 2>&1; then
    echo "member $i: verify FAILED: $(tail -1 "$OUT/verify-$i.txt")"; failed=1
  else
    echo "member $i: $(tail -1 "$OUT/verify-$i.txt")"
  fi
done
"$BATON" admin status --config "$CONFIG" > "$OUT/status.txt" 2>&1 || true
cleanup
sleep 1
if "$BATON" log compare "$OUT/node-0" "$OUT/node-1" "$OUT/node-2" > "$OUT/compare.txt" 2>&1; then echo "log compare: $(grep -o 'IDENTICAL.*' "$OUT/compare.txt" | head -1)"; else echo "log compare FAILED"; cat "$OUT/compare.txt"; failed=1; fi
kills=$(grep -c kill "$OUT/kills.txt" || true)
epoch=$(grep -o 'epoch [0-9]*' "$OUT/status.txt" | awk '{print $2}' | sort -n | tail -1)
normal=$(awk 'NR > 1 { print $4 }' "$OUT/batches.txt" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
worst=$(awk 'NR > 1 { print $4 }' "$OUT/batches.txt" | sort -n | tail -1)
echo "chaos: $SECONDS_TOTAL s, $kills kills (one every $KILL_EVERY s, down 1-4 s), $next messages acknowledged in $(( next / BATCH )) batches;"
echo "  configuration epoch at the end: $epoch; batch time median $normal s, worst $worst s (the longest outage is at most worst - median)"
echo "  per batch (first sequence, end time, seconds, acked msgs/s, attempts): $OUT/batches.txt"
exit $failed
