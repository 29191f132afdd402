#!/usr/bin/env python3
"""Rewrites the generated tables of BENCHMARKS.md from one measuring session:
`single` from scripts/bench-report.sh (C limits, rings, CRC, log, single node,
NATS R1), `chain` from scripts/bench-chain.sh (3-node chain, NATS R3, etcd 3).
The figures come from the JSON summaries `baton bench` wrote and the raw
output's lines (C limits, `baton log bench`, the peers' RESULT lines).
Everything between a section's BEGIN/END GENERATED markers is replaced; the
hand-written notes around them are left alone.
Usage: render-benchmarks.py single|chain RAW_OUTPUT RUN_DIRECTORY"""
import json
import os
import re
import sys

def markers(name):
    return (f"<!-- BEGIN GENERATED: {name} (make bench-report; do not edit by hand) -->",
            f"<!-- END GENERATED: {name} -->")


def replace_section(name, lines, heading):
    begin, end = markers(name)
    path = "BENCHMARKS.md"
    text = open(path).read()
    old_begin = f"<!-- BEGIN GENERATED: {name} (scripts/bench-chain.sh; do not edit by hand) -->"
    text = text.replace(old_begin, begin)
    block = "\n".join([begin] + lines + [end])
    if begin in text and end in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + f"\n\n{heading}\n\n" + block + "\n"
    open(path, "w").write(text)


def median(values):
    values = sorted(values)
    return values[len(values) // 2] if values else None


def floats(raw, pattern):
    return [float(m) for m in re.findall(pattern, raw)]


def spread(values, unit, digits=1):
    if not values:
        return "not measured"
    return f"{median(values):,.{digits}f} {unit} ({min(values):,.{digits}f}–{max(values):,.{digits}f})"


def load(run, name):
    path = os.path.join(run, name)
    with open(path) as f:
        return json.load(f)


def us(value):
    return f"{value:,.0f} µs" if value >= 100 else f"{value:,.1f} µs"


def results(raw, prefix):
    """RESULT lines of a peer: {kind: {key: value}}."""
    found = {}
    for line in raw.splitlines():
        if not line.startswith(prefix + "RESULT "):
            continue
        fields = line[len(prefix + "RESULT "):].split(" | ")[0].split()
        kind = fields[1]
        found[kind] = dict(f.split("=", 1) for f in fields[2:] if "=" in f)
    return found


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def render_chain(raw_path, run):
    raw = open(raw_path).read()
    session = raw.splitlines()[0].lstrip("# ").strip().removeprefix("session ")
    t1 = load(run, "t1-throughput-uring.json")
    t2 = load(run, "t2-throughput-pwrite.json")
    p1 = load(run, "p1-throughput-processes.json")
    lat = {name: load(run, file) for name, file in [
        ("l1", "l1-latency-pwrite.json"), ("l2", "l2-latency-uring.json"),
        ("l3", "l3-latency-none.json"), ("l4", "l4-latency-2k.json"), ("p2", "p2-latency-processes.json")]}
    nats = results(raw, "nats: ")
    etcd = results(raw, "etcd: ")
    nats_async = number(nats.get("async-publish", {}).get("msgs/s"))
    nats_sync = nats.get("sync-publish", {})
    etcd_conc = etcd.get("put-conc", {})
    etcd_seq = etcd.get("put-seq", {})

    out = ["", f"Session: {session}. Raw output: `{raw_path}`; JSON, `.hgrm`, `.hlog` and the plot: `{run}/`.",
           "Regenerate with **`make bench-chain`** (`scripts/bench-chain.sh`, then this section is rewritten by",
           "`scripts/render-benchmarks.py`). 100-byte messages everywhere. \"Embedded\" is `baton bench --embedded --nodes 3`:",
           "a chain of three members in the benchmark's process, every member's agents on one thread (as `baton cluster --threads one`",
           "runs it), each member with its own log and data folder on the same disk, replicating over loopback UDP.", ""]

    out += ["### Throughput (acknowledged = committed: durable on all three members)", "",
            "| setup | acked msgs/s | MB/s | vs NATS R3 async publish, same session |", "|---|---|---|---|"]

    def ratio(value):
        return f"**{value / nats_async:.1f}×** ({nats_async:,.0f} msgs/s)" if nats_async else "NATS not measured"

    for label, data in [("embedded chain, durability batch, io_uring, 2 publishers", t1),
                        ("embedded chain, durability batch, pwrite, 2 publishers", t2),
                        ("3 `baton serve` processes, batch, pwrite, 2 publishers + 1 subscriber on the tail", p1)]:
        acked = data["acked"]
        out.append(f"| {label} | {acked['msgs_per_s']:,.0f} | {acked['mb_per_s']:.1f} | {ratio(acked['msgs_per_s'])} |")
    if "delivered" in p1 and p1["delivered"]:
        d = p1["delivered"]
        out += ["", f"Delivery in the 3-process run (a subscriber on the tail, reading while publishers write): "
                    f"{d['msgs_per_s']:,.0f} msgs/s."]
    if etcd_conc:
        out += ["", f"etcd 3 members, same session (`put`, 16 connections × 256 clients): {number(etcd_conc.get('ops/s')):,.0f} ops/s."]

    out += ["", "### Latency at a fixed rate (open loop, coordinated omission corrected: measured from each send's scheduled time)", "",
            "| setup | rate | publish → ack p50 | p99 | p99.9 | max | sends late |", "|---|---|---|---|---|---|---|"]
    labels = {"l1": "embedded, batch, pwrite (+ a subscriber on every node)", "l2": "embedded, batch, io_uring",
              "l3": "embedded, durability none (NATS's guarantee), pwrite", "l4": "embedded, batch, pwrite",
              "p2": "3 processes, batch, pwrite"}
    for key in ["l1", "l2", "l3", "l4", "p2"]:
        data = lat[key]
        ack = data["ack"]["corrected"]
        p = ack["percentiles_us"]
        rate = data["config"]["rate_msgs_per_s"]
        out.append(f"| {labels[key]} | {rate:,} msgs/s | {us(p['50'])} | {us(p['99'])} | {us(p['99.9'])} | {us(ack['max_us'])} | {data['rate']['late_sends']:,} |")
    delivery = lat["l1"].get("delivery") or {}
    if delivery.get("corrected"):
        p = delivery["corrected"]["percentiles_us"]
        out += ["", f"Publish → delivery in the first row (subscribers on head, middle and tail): p50 {us(p['50'])}, "
                    f"p99 {us(p['99'])}, p99.9 {us(p['99.9'])}."]
    paths = [("default", "**the default** (`tuning/default.toml`, what `make run` uses)"),
             ("uring-shared-za0", "io_uring, shared thread, zero-ahead off (the default before issue 15)"),
             ("uring-shared", "io_uring, shared thread, zero-ahead"),
             ("pwrite-shared", "pwrite, shared thread, zero-ahead"),
             ("pwrite-dedicated-za0", "pwrite, dedicated threads, zero-ahead off"),
             ("pwrite-dedicated", "pwrite, dedicated threads, zero-ahead"),
             ("uring-dedicated", "io_uring, dedicated threads, zero-ahead")]
    if os.path.exists(os.path.join(run, "w-default-latency-1.json")):
        out += ["", "### Write paths: three `baton serve` processes, durability batch (fdatasync on every member)", "",
                "Each cell starts a fresh cluster with one tuning profile and measures publish → ack at 20,000 msgs/s (10 s, open",
                "loop, corrected). Two passes in opposite row order (a row's place in a run biases it: first pass; second pass),",
                "then acknowledged throughput with 2 publishers (8 s). The goal of issue 15 is p99 ≤ 400 µs.", "",
                "| write path | p50 | p99 | p99.9 | acked msgs/s |", "|---|---|---|---|---|"]
        for key, label in paths:
            try:
                passes = [load(run, f"w-{key}-latency-{n}.json")["ack"]["corrected"]["percentiles_us"] for n in (1, 2)]
                tput = load(run, f"w-{key}-throughput.json")
            except FileNotFoundError:
                continue
            cell = lambda q: "; ".join(us(p[q]) for p in passes)
            out.append(f"| {label} | {cell('50')} | {cell('99')} | {cell('99.9')} | {tput['acked']['msgs_per_s']:,.0f} |")
    out += ["", "Peers, same session (their scripts measure closed loop: one request in flight, so their rate is whatever that gives):", "",
            "| peer | guarantee when acked | rate | p50 | p99 | p99.9 |", "|---|---|---|---|---|---|"]
    if nats_sync:
        out.append(f"| NATS JetStream R3, sync publish | stored by 2 of 3, **no fsync** | {number(nats_sync.get('msgs/s')):,.0f} msgs/s | "
                   f"{us(number(nats_sync['p50_us']))} | {us(number(nats_sync['p99_us']))} | {us(number(nats_sync['p99.9_us']))} |")
    if etcd_seq:
        out.append(f"| etcd 3 members, put, 1 in flight | fsync on 2 of 3 | {number(etcd_seq.get('ops/s')):,.0f} ops/s | "
                   f"{us(number(etcd_seq['p50_us']))} | {us(number(etcd_seq['p99_us']))} | {us(number(etcd_seq['p99.9_us']))} |")
    if etcd_conc:
        out.append(f"| etcd 3 members, put, 16 × 256 in flight | fsync on 2 of 3 | {number(etcd_conc.get('ops/s')):,.0f} ops/s | "
                   f"{us(number(etcd_conc['p50_us']))} | {us(number(etcd_conc['p99_us']))} | {us(number(etcd_conc['p99.9_us']))} |")
    out += ["", f"![publish→ack and publish→delivery latency by percentile, 3-node chain, 20,000 msgs/s]({run}/chain-latency.svg)", ""]
    replace_section("chain", out, "## Chain replication, 3 nodes (issues 5 and 6)")


def render_single(raw_path, run):
    raw = open(raw_path).read()
    session = raw.splitlines()[0].lstrip("# ").strip().removeprefix("session ")
    spsc_c = floats(raw, r"c: spsc_64B_tput ([0-9.]+)")
    mpsc_c = floats(raw, r"c: mpsc_2prod_8B_tput ([0-9.]+)")
    ring = {m[0]: (float(m[1]), m[2]) for m in re.findall(r"baton: (ring_\w+) median ([0-9.]+) Mmsg/s \(runs: ([0-9. ]+)\)", raw)}
    crc = {(m[0], m[1]): float(m[2]) for m in re.findall(r"baton: CRC32C (hardware|software) (\d+) B: ([0-9.]+) GB/s", raw)}
    group = floats(raw, r"c: fsync_group_64KiB_tput ([0-9.]+)")
    uring_batches = floats(raw, r"c: uring_linked_64KiB_write_fdatasync_batches ([0-9.]+)")
    uring_mb = [b * 65536 / 1e6 for b in uring_batches]
    benches = re.split(r"baton: baton log bench: ", raw)[1:]

    def log_bench(policy, rated):
        for text in benches:
            if text.startswith(f"policy {policy}") and (("rate: target" in text) == rated):
                return text
        return ""

    none_text = log_bench("none", False)
    batch_text = log_bench("batch", False)
    rated_text = log_bench("batch", True)
    none_rate = floats(none_text, r"until durable:\s+[0-9.]+ s\s+([0-9]+) msgs/s")
    batch_log = floats(batch_text, r"until durable:.*?([0-9.]+) MB/s log")
    latency = re.search(r"p50 ([0-9.]+) p90 ([0-9.]+) p99 ([0-9.]+) p99.9 ([0-9.]+) max ([0-9.]+)", rated_text)

    def ratio(a, b):
        return f"**{a / b:.2f}×**" if a and b else "—"

    spsc = ring.get("ring_spsc_64B_write_tput")
    mpsc = ring.get("ring_mpsc_2prod_64B_write_tput")
    out = ["", f"Session: {session}. Raw output: `{raw_path}`; the node's JSON and `.hgrm`: `{run}/`.", "",
           "| measurement | Baton | C limit, same run | ratio | target |", "|---|---|---|---|---|",
           f"| SPSC ring, 64-byte messages, 2 pinned busy-spin threads | {spsc[0] if spsc else 0:.1f} M msg/s (runs {spsc[1] if spsc else '–'}) | "
           f"`./spsc tput 64`: {spread(spsc_c, 'M msg/s')} | {ratio(spsc[0] if spsc else None, median(spsc_c))} | ≥ 0.8× |",
           f"| MPSC ring, 2 producers + 1 consumer, 64 B | {mpsc[0] if mpsc else 0:.1f} M msg/s (runs {mpsc[1] if mpsc else '–'}) | "
           f"`./mpsc 2` (8 B): {spread(mpsc_c, 'M msg/s')} | {ratio(mpsc[0] if mpsc else None, median(mpsc_c))} | ≥ 0.7× |",
           f"| CRC32C, hardware, 64 KiB | {crc.get(('hardware', '65536'), 0):.2f} GB/s | — | — | ≥ 4 GB/s |",
           f"| CRC32C, software fallback, 64 KiB | {crc.get(('software', '65536'), 0):.2f} GB/s | — | — | — |",
           f"| log append, policy `none`, 100-byte messages | {median(none_rate) or 0:,.0f} msg/s until written | — | — | ≥ 3 M msg/s |",
           f"| log append, policy `batch` (group commit) | {median(batch_log) or 0:,.0f} MB/s of log durable | `./disk_fsync group`: {spread(group, 'MB/s', 0)}; "
           f"`./uring_check` linked 64 KiB write+fdatasync: {spread(uring_mb, 'MB/s', 0)} | {ratio(median(batch_log), max(median(group) or 0, median(uring_mb) or 0) or None)} (vs the better median) | ≥ 0.7× |"]
    if latency:
        p50, p90, p99, p999, top = (float(v) for v in latency.groups())
        out.append(f"| log append → durable, policy `batch`, steady 50,000 msg/s | p50 {us(p50)}, p90 {us(p90)}, p99 {us(p99)}, p99.9 {us(p999)}, max {us(top)} | — | — | (report) |")

    nats = results(raw, "nats: ")
    nats_async = number(nats.get("async-publish", {}).get("msgs/s"))
    nats_sync = nats.get("sync-publish", {})
    node = []
    for label, name in [("acknowledged publish throughput, 1 publisher", "throughput-1.json"),
                        ("acknowledged publish throughput, 4 publishers", "throughput-4.json"),
                        ("4 publishers with a stalled (SIGSTOPped) subscriber attached", "throughput-stalled.json")]:
        try:
            data = load(run, name)
        except OSError:
            continue
        acked = data["acked"]["msgs_per_s"]
        versus = f"**{acked / nats_async:.1f}×** NATS R1 async publish ({nats_async:,.0f} msgs/s)" if nats_async else "—"
        node.append(f"| {label} | {acked:,.0f} msgs/s ({data['acked']['mb_per_s']:.1f} MB/s) | {versus} |")
    try:
        lat = load(run, "latency.json")
        p = lat["ack"]["corrected"]["percentiles_us"]
        reference = (f"NATS R1 sync publish (1 in flight, no fsync): p50 {us(number(nats_sync['p50_us']))}, "
                     f"p99 {us(number(nats_sync['p99_us']))}, p99.9 {us(number(nats_sync['p99.9_us']))}") if nats_sync else "—"
        node.append(f"| publish → ack at a fixed 50,000 msgs/s (open loop, corrected), fdatasync before the ack | "
                    f"p50 {us(p['50'])}, p90 {us(p['90'])}, p99 {us(p['99'])}, p99.9 {us(p['99.9'])} | {reference} |")
    except OSError:
        pass
    out += ["", "Single node: `baton serve` (durability `batch`, io_uring, shared threading, backoff idle), `baton bench` over loopback,",
            "100-byte messages; NATS JetStream R1 (`../shared/peers/nats.sh r1`, median of 3 runs) right after.", "",
            "| measurement | Baton | reference, same session |", "|---|---|---|"] + node + [""]
    replace_section("single", out, "## Generated tables (make bench-report)")


if __name__ == "__main__":
    mode, raw_path, run = sys.argv[1], sys.argv[2], sys.argv[3]
    {"single": render_single, "chain": render_chain}[mode](raw_path, run)
