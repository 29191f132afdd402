#!/usr/bin/env bash
# Runs `make test` RUNS times, each from a fresh clone of this repository's
# HEAD, while BURNERS busy-loop processes (default: one per core, normal
# priority) keep every core busy — how a shared CI machine looks. A test that
# passes only on an idle machine fails here. Prints one line per run and a
# summary; logs stay in the work folder it names.
#
#   scripts/test-under-load.sh [RUNS] [BURNERS]
set -uo pipefail
runs=${1:-3}
burners=${2:-$(nproc)}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/baton-loaded-XXXXXX)
commit=$(git -C "$repo" rev-parse --short HEAD)
pids=()
stop_burners() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap stop_burners EXIT
for _ in $(seq 1 "$burners"); do ( while :; do :; done ) & pids+=($!); done
echo "commit $commit: $runs loaded runs of make test, $burners CPU burners on $(nproc) cores; logs in $work"
passed=0
for run in $(seq 1 "$runs"); do
    clone="$work/clone-$run"
    git clone -q "$repo" "$clone"
    start=$(date +%s)
    if (cd "$clone" && CI=true make test) > "$work/run-$run.log" 2>&1; then
        result=passed; passed=$((passed + 1))
    else
        result=FAILED
    fi
    seconds=$(( $(date +%s) - start ))
    summary=$(grep -E "Executed [0-9]+ tests" "$work/run-$run.log" | tail -1 | sed 's/^[[:space:]]*//')
    echo "run $run: $result in ${seconds}s ($summary; load average $(cut -d' ' -f1-3 /proc/loadavg))"
    [ "$result" = FAILED ] && grep -E "error:|Fatal|failed \(" "$work/run-$run.log" | head -20
    rm -rf "$clone/.build" "$clone/.build-tsan"
done
echo "$passed of $runs loaded runs passed (commit $commit)"
[ "$passed" -eq "$runs" ]
