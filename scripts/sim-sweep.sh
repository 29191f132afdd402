#!/usr/bin/env bash
# The deterministic simulator over many seeds, split across processes:
#   scripts/sim-sweep.sh SEEDS JOBS [FIRST] [NODES] [REPLICATION]
# runs seeds FIRST..FIRST+SEEDS-1 (default first 1, members 3,5 in turn,
# replication chain; raft takes odd member counts; chain-failover is the
# chain with automatic failover) with
# `baton sim --seeds`, JOBS processes at once, and prints every failing
# seed's summary (with its rerun line) and the totals: seeds/s and simulated
# seconds per real second. Exits 1 if any seed fails.
set -euo pipefail
SEEDS=${1:?usage: sim-sweep.sh SEEDS JOBS [FIRST] [NODES]}
JOBS=${2:-$(nproc)}
FIRST=${3:-1}
NODES=${4:-3,5}
REPLICATION=${5:-chain}
# "chain-failover": chain replication with automatic failover (baton sim --failover).
EXTRA=()
if [ "$REPLICATION" = chain-failover ]; then REPLICATION=chain; EXTRA=(--failover); LABEL=chain-failover; else LABEL=$REPLICATION; fi
BATON=${BATON:-.build/release/baton}
[ -x "$BATON" ] || { echo "error: $BATON not built (swift build -c release --product baton)" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
per=$(( (SEEDS + JOBS - 1) / JOBS ))
start=$(date +%s%N)
pids=()
for ((job = 0; job < JOBS; job++)); do
  first=$(( FIRST + job * per ))
  count=$(( per < SEEDS - job * per ? per : SEEDS - job * per ))
  (( count > 0 )) || break
  "$BATON" sim --seed "$first" --seeds "$count" --nodes "$NODES" --replication "$REPLICATION" "${EXTRA[@]}" --quiet > "$out/$job.txt" 2>&1 &
  pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
elapsed_ns=$(( $(date +%s%N) - start ))
cat "$out"/*.txt | grep -v '^seeds ' || true
awk -v ns="$elapsed_ns" '/^seeds / {
    seeds += $2; fails += $4 + 0
    sim += $7 * $16   # "seeds N, failed F, R seeds/s, X simulated s per real s, K steps in T s"
  } END {
    s = ns / 1e9
    printf "sweep ('"$LABEL"'): %d seeds, %d failed, %.2f s, %.1f seeds/s, %.1f simulated s per real s\n", seeds, fails, s, seeds / s, sim / s
  }' "$out"/*.txt
exit $failed
