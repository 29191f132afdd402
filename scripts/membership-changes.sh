#!/usr/bin/env bash
# Membership changes by hand under load, 3 `baton serve` processes with failover:
#   scripts/membership-changes.sh [ROUNDS] [MESSAGES] [OUT]
# While `baton publish --count MESSAGES` (default 6,000,000 100-byte
# messages) runs through every member, each of ROUNDS (default 5) rounds
# removes the current head with `baton admin remove-member` (it hands over
# to its successor first) and adds it back with `add-member` (it catches up
# from the tail and joins as the tail); the tools print how long each took.
# Then the members stop and their logs are compared (`baton log compare`).
# Exit 1 if a tool, the publisher or the comparison fails. BENCHMARKS.md has a run.
set -euo pipefail
ROUNDS=${1:-5}
MESSAGES=${2:-6000000}
OUT=${3:-$(mktemp -d /tmp/baton-membership.XXXXXX)}
BATON=${BATON:-.build/release/baton}
[ -x "$BATON" ] || { echo "error: $BATON not built (swift build -c release --product baton)" >&2; exit 1; }
mkdir -p "$OUT"
source "$(dirname "$0")/cluster-lib.sh"
CONFIG="$OUT/cluster.toml"
write_cluster "$CONFIG" 78 3 chain failover
BROKERS=$(cluster_brokers "$CONFIG")
pids=()
stop_members() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done; }
trap stop_members EXIT
for i in 0 1 2; do
  mkdir -p "$OUT/node-$i"
  "$BATON" serve --config "$CONFIG" --node "$i" --log-level warning > "$OUT/node-$i.log" 2>&1 &
  pids+=($!)
done
# Wait for a configuration leader (status names one) before publishing.
for _ in $(seq 1 200); do
  "$BATON" admin status --config "$CONFIG" --json \
    | python3 -c "import json, sys; sys.exit(json.load(sys.stdin)['summary']['configurationLeader'] is None)" && break
  sleep 0.05
done
"$BATON" publish --broker "$BROKERS" --stream 1 --count "$MESSAGES" --producer-id 7 > "$OUT/publish.txt" 2>&1 &
publisher=$!
sleep 1
for round in $(seq 1 "$ROUNDS"); do
  head=$("$BATON" admin status --config "$CONFIG" --json | python3 -c "import json, sys; print(json.load(sys.stdin)['summary']['head'])")
  echo "round $round: head node $head"
  "$BATON" admin remove-member --config "$CONFIG" --node "$head"
  "$BATON" admin add-member --config "$CONFIG" --node "$head" | tail -1
done
wait "$publisher"
tail -1 "$OUT/publish.txt"
stop_members
trap - EXIT
"$BATON" log compare "$OUT/node-0" "$OUT/node-1" "$OUT/node-2" | tail -1
