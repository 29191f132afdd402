#!/bin/bash
# Same-session A/B of two baton binaries: embedded single node and 3-node
# chain, 2 publishers + 1 subscriber, 100-byte messages, 4 s after a 1 s
# warm-up, the two binaries alternating for ROUNDS rounds. Prints acked and
# delivered msgs/s per run. The chain runs with every member on one thread
# (`--threads one`, given to binaries that have the option: before it, that
# was the only way), so old and new builds compare like for like.
#   scripts/ab-throughput.sh OLD_BATON NEW_BATON [ROUNDS]
set -euo pipefail
old=${1:?old baton binary}; new=${2:?new baton binary}; rounds=${3:-4}
run() {
    "$@" 2>&1 | grep -E '^acknowledged|^delivered:' | sed -E 's/.*: ([0-9,]+) msgs\/s.*/\1/' | tr '\n' ' '
}
for round in $(seq 1 "$rounds"); do
    for label in old new; do
        bin=${!label}
        threads=(); "$bin" bench throughput --help 2>&1 | grep -q -- '--threads' && threads=(--threads one)
        for nodes in 1 3; do
            echo "round $round $label nodes=$nodes acked/delivered: $(run "$bin" bench throughput --embedded --nodes "$nodes" \
                "${threads[@]}" --publishers 2 --subscribers 1 --duration 4 --quiet)"
        done
    done
done
