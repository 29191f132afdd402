#!/usr/bin/env python3
"""Regenerates the chain-replication section of BENCHMARKS.md from one
session of scripts/bench-chain.sh: the JSON summaries `baton bench` wrote and
the peers' RESULT lines in the raw output. Everything between the
BEGIN/END GENERATED markers is replaced; the rest of the file is left alone.
Usage: render-benchmarks.py RAW_OUTPUT RUN_DIRECTORY"""
import json
import os
import re
import sys

BEGIN = "<!-- BEGIN GENERATED: chain (scripts/bench-chain.sh; do not edit by hand) -->"
END = "<!-- END GENERATED: chain -->"


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


def main():
    raw_path, run = sys.argv[1], sys.argv[2]
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

    out = [BEGIN, "", f"Session: {session}. Raw output: `{raw_path}`; JSON, `.hgrm`, `.hlog` and the plot: `{run}/`.",
           "Regenerate with **`make bench-chain`** (`scripts/bench-chain.sh`, then this section is rewritten by",
           "`scripts/render-benchmarks.py`). 100-byte messages everywhere. \"Embedded\" is `baton bench --embedded --nodes 3`:",
           "a chain of three members in the benchmark's process, every member's agents on one thread (as `baton cluster`",
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
    out += ["", f"![publish→ack and publish→delivery latency by percentile, 3-node chain, 20,000 msgs/s]({run}/chain-latency.svg)", "", END]

    path = "BENCHMARKS.md"
    text = open(path).read()
    block = "\n".join(out)
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n## Chain replication, 3 nodes (issues 5 and 6)\n\n" + block + "\n"
    open(path, "w").write(text)


if __name__ == "__main__":
    main()
