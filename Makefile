# Baton: the two commands are `make run` and `make test`; both install what is
# missing first. Everything else here is for developers.
SHELL        := /bin/bash
SWIFT        ?= swift
APT_PACKAGES := liburing-dev libnuma-dev zlib1g-dev
DATA         ?= $(CURDIR)/data
LIMITS_DIR   ?= /tmp/baton-limits

.PHONY: all deps build run test test-under-load tsan sim bench bench-limits bench-report bench-chain bench-raft check-hlog clean

all: build

# Install the system libraries Baton links (only those missing), check for Swift.
deps:
	@command -v $(SWIFT) >/dev/null || { echo "error: '$(SWIFT)' not found: Baton needs Swift 6.1 or newer on PATH" >&2; exit 1; }
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  sudo=""; [ "$$(id -u)" -ne 0 ] && sudo=sudo; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build -c release --product baton

# The main job: a local 3-node chain in one process (head clients on
# 127.0.0.1:7400, then 7401, 7402; replication on 7500-7502) with the default
# tuning profile and its data under ./data/node-N (Ctrl-C stops it cleanly).
run: build
	mkdir -p $(DATA)
	.build/release/baton cluster --nodes 3 --threads per-node --data $(DATA) --base-port 7400 --tuning tuning/default.toml

# The whole suite: the concurrency tests under ThreadSanitizer, the
# deterministic simulator over SIM_SEEDS seeds of each replication mode
# (chain, chain with automatic failover, and Raft; 3 and 5 members in turn,
# swarm faults; across every core), then every test in release mode
# (last, so the run closes on the full suite's summary).
SIM_SEEDS ?= 2000
test: deps
	$(MAKE) --no-print-directory tsan
	$(SWIFT) build -c release --product baton
	scripts/sim-sweep.sh $(SIM_SEEDS) $$(nproc) 1 3,5 chain
	scripts/sim-sweep.sh $(SIM_SEEDS) $$(nproc) 1 3,5 chain-failover
	scripts/sim-sweep.sh $(SIM_SEEDS) $$(nproc) 1 3,5 raft
	$(SWIFT) test -c release

# The simulator over as many seeds as asked, across JOBS processes; prints
# failing seeds (each with the line that reruns it), seeds/s and simulated
# seconds per real second. E.g. `make sim SEEDS=100000 JOBS=2 FIRST=1 REPLICATION=raft`
# (REPLICATION: chain, chain-failover or raft).
SEEDS ?= 10000
JOBS  ?= $(shell nproc)
FIRST ?= 1
REPLICATION ?= chain
sim: deps
	$(SWIFT) build -c release --product baton
	scripts/sim-sweep.sh $(SEEDS) $(JOBS) $(FIRST) 3,5 $(REPLICATION)

# `make test` RUNS times from fresh clones of HEAD while BURNERS busy loops keep
# every core busy (a shared CI machine): a test that passes only when the
# machine is idle fails here.
RUNS    ?= 3
BURNERS ?= $(shell nproc)
test-under-load: deps
	scripts/test-under-load.sh $(RUNS) $(BURNERS)

# Rings, agents and the in-process chain (replication, faults, slow tail) under
# ThreadSanitizer (fewer stress messages: TSan is ~10x slower).
# Release mode on purpose: at -Onone the stdlib's raw-memory loads and stores
# are not instrumented, so a debug TSan run cannot see a race in ring memory.
tsan: deps
	BATON_STRESS_MESSAGES=200000 $(SWIFT) test -c release --sanitize=thread --scratch-path .build-tsan \
	  --filter 'BatonRingTests|BatonAgentTests|ChainEndToEndTests|ChainFaultInjectionTests|ChainFailoverEndToEndTests|SlowTailTests|RaftEndToEndTests|RaftRejoinTests|LogTruncationTests'

# Micro-benchmarks (ordo-one/benchmark) in their own package.
bench: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark --no-progress

# The machine's own ceilings for the same things, for the ratios in BENCHMARKS.md.
bench-limits:
	rm -rf $(LIMITS_DIR) && cp -r ../shared/limits $(LIMITS_DIR) && $(MAKE) -s -C $(LIMITS_DIR)
	cd $(LIMITS_DIR) && ./spsc tput 64 && ./mpsc 2

# Every figure in BENCHMARKS.md, measured in one session beside the C limits and NATS.
# The 3-node chain beside NATS JetStream R3 and etcd 3 in one session; rewrites
# the generated section of BENCHMARKS.md (PEERS=0 skips the peers).
bench-chain: build
	scripts/bench-chain.sh

# Raft beside the chain, NATS R3 and etcd 3 in one session (BENCHMARKS.md "Raft").
bench-raft: build
	scripts/bench-raft.sh

bench-report: deps
	scripts/bench-report.sh

# The .hlog against the reference reader: a 5 s latency run on an embedded
# node into a fresh temporary directory, then scripts/check-hlog.py with the
# Python `hdrhistogram` package (installed into HDRH_VENV when python3 cannot
# import it). Needs PyPI the first time, so it is not part of `make test`.
SCRATCH    ?= .build
HDRH_VENV  ?= $(HOME)/.cache/baton/hdrh-venv
check-hlog: deps
	$(SWIFT) build -c release --product baton --scratch-path $(SCRATCH)
	@set -e; dir=$$(mktemp -d /tmp/baton-check-hlog-XXXXXX); \
	$(SCRATCH)/release/baton bench latency --embedded --rate 20000 --duration 5s \
	  --hgrm $$dir/out.hgrm --hlog $$dir/out.hlog --json $$dir/out.json --plot $$dir/out.svg; \
	python=python3; \
	if ! python3 -c 'import hdrh' 2>/dev/null; then \
	  if [ ! -x $(HDRH_VENV)/bin/python ]; then \
	    echo "installing the Python hdrhistogram package into $(HDRH_VENV)"; \
	    python3 -m venv $(HDRH_VENV) && $(HDRH_VENV)/bin/pip install -q hdrhistogram; \
	  fi; \
	  python=$(HDRH_VENV)/bin/python; \
	fi; \
	$$python scripts/check-hlog.py $$dir/out.hlog $$dir/out.hgrm; \
	echo "outputs in $$dir"

clean:
	rm -rf .build .build-tsan Benchmarks/.build
