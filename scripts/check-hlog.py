#!/usr/bin/env python3
"""Check a `baton bench latency` interval log with the reference reader.

usage: check-hlog.py FILE.hlog FILE.hgrm [TAG=OTHER.hgrm ...]

Reads FILE.hlog with the Python `hdrhistogram` package (HdrHistogram_py:
`hdrh.log.HistogramLogReader`, which decodes each interval's compressed V2
histogram through the HdrHistogram_c codec) and checks that

  * the header carries StartTime, BaseTime and the legend line, as
    HdrHistogram's HistogramLogWriter writes them;
  * every interval line decodes (none is skipped), in time order, and its
    Interval_Max column is the decoded histogram's max;
  * for the untagged series (publish->ack, corrected) the sum of its
    intervals agrees with FILE.hgrm: the same total count and max, for every
    row of the .hgrm the same count of values at or below the row's value
    (exactly), and the reference's value at the row's percentile within one
    histogram bucket of the row's value (histogram precision). The
    percentile is asked as the count it stands for, ceil(p x N): the rule
    the .hgrm writers (Java, Swift) follow; HdrHistogram_c and this Python
    package round p x N to the nearest count instead, which in a sparse tail
    can name the value below.

Tagged series are checked against TAG=OTHER.hgrm when given, and otherwise
against FILE's sibling FILE-without-.hgrm + ".TAG.hgrm" when that exists
(`baton bench latency --hgrm` writes them). Exits 1 on any disagreement,
2 on bad usage or unreadable files.
"""
import bisect
import math
import os
import sys

try:
    from hdrh.histogram import HdrHistogram
    from hdrh.log import HistogramLogReader
except ImportError:
    sys.exit("check-hlog.py needs the Python 'hdrhistogram' package (pip install hdrhistogram)")

NANOS_PER_MICRO = 1000.0


def parse_hgrm(path):
    """Rows (value in ns, percentile 0..1, total count) and the footer's max (ns) and total count."""
    rows, footer_max, footer_total = [], None, None
    with open(path, encoding="utf-8") as text:
        for line in text:
            line = line.strip()
            if line.startswith("#[Max"):
                # "#[Max     =     4149.247, Total count    =         4000]"
                parts = line.strip("#[]").split(",")
                footer_max = round(float(parts[0].split("=")[1]) * NANOS_PER_MICRO)
                footer_total = int(parts[1].split("=")[1])
                continue
            fields = line.split()
            if len(fields) < 3 or line.startswith("#") or fields[0] == "Value":
                continue
            rows.append((round(float(fields[0]) * NANOS_PER_MICRO), float(fields[1]), int(fields[2])))
    if not rows or footer_total is None:
        raise ValueError(f"{path}: no percentile rows or no '#[Max ..., Total count ...]' footer")
    return rows, footer_max, footer_total


def interval_lines(path):
    """(tag, start, length, max in ms) of every interval line, as written."""
    lines = []
    with open(path, encoding="utf-8") as text:
        for line in text:
            line = line.rstrip("\n")
            if not line or line.startswith("#") or line.startswith('"'):
                continue
            tag = None
            if line.startswith("Tag="):
                tag, line = line[4:].split(",", 1)
            start, length, maximum, _ = line.split(",", 3)
            lines.append((tag, float(start), float(length), float(maximum)))
    return lines


def bucket(histogram, value):
    """The size of the range of values equivalent to `value` (histogram precision there)."""
    return histogram.get_highest_equivalent_value(value) - histogram.get_lowest_equivalent_value(value) + 1


def compare(tag, total, hgrm_path, problems):
    rows, footer_max, footer_total = parse_hgrm(hgrm_path)
    found_before = len(problems)
    name = tag or "untagged"
    if total.get_total_count() != footer_total:
        problems.append(f"{name}: the intervals hold {total.get_total_count()} values, {hgrm_path} {footer_total}")
        return
    if not total.values_are_equivalent(total.get_max_value(), footer_max):
        problems.append(f"{name}: max {total.get_max_value()} ns from the intervals, {footer_max} ns in {hgrm_path}")
    # Cumulative counts by value, from the reference's own iteration.
    values, cumulative = [], []
    for item in total.get_recorded_iterator():
        values.append(total.get_highest_equivalent_value(item.value_iterated_to))
        cumulative.append(item.total_count_to_this_value)
    worst = 0.0
    for value, percentile, count in rows:
        at = bisect.bisect_right(values, value)
        below = cumulative[at - 1] if at > 0 else 0
        if below != count:
            problems.append(f"{name}: {count} values at or below {value / 1000:.3f} us in {hgrm_path}, "
                            f"{below} in the intervals")
        target = max(1, math.ceil(percentile * footer_total - 1e-9))
        reference = total.get_value_at_percentile(100.0 * target / footer_total) if percentile > 0 \
            else total.get_value_at_percentile(0)
        allowed = bucket(total, max(reference, value))
        if abs(reference - value) > allowed:
            problems.append(f"{name}: at {percentile * 100:.6f}% the reference says {reference / 1000:.3f} us, "
                            f"{hgrm_path} {value / 1000:.3f} us (more than one bucket, {allowed} ns, apart)")
        if percentile > 0:  # the 0% row: the .hgrm gives the min's highest equivalent value, the reference its lowest
            worst = max(worst, abs(reference - value) / max(value, 1))
    summary = ", ".join(f"p{p} {total.get_value_at_percentile(p) / 1000:.1f} us"
                        for p in (50, 90, 99, 99.9, 99.99))
    verdict = "agree with" if len(problems) == found_before else "DISAGREE with"
    print(f"  {name}: {footer_total} values over {len(rows)} .hgrm rows {verdict} {os.path.basename(hgrm_path)} "
          f"(largest value difference {worst * 100:.3f}%); {summary}, max {total.get_max_value() / 1000:.1f} us")


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    hlog, hgrm = argv[1], argv[2]
    explicit = {}
    for argument in argv[3:]:
        if "=" not in argument:
            print(f"check-hlog.py: '{argument}' is not TAG=FILE.hgrm", file=sys.stderr)
            return 2
        tag, path = argument.split("=", 1)
        explicit[tag] = path
    problems = []

    with open(hlog, encoding="utf-8") as text:
        head = text.read(4096)
    for marker in ("#[StartTime: ", "#[BaseTime: ",
                   '"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"'):
        if marker not in head:
            problems.append(f"the header has no {marker!r} line")

    written = interval_lines(hlog)
    reader = HistogramLogReader(hlog, HdrHistogram(1000, 60 * 1000 ** 3, 3))
    totals, intervals, last_start = {}, {}, -1.0
    decoded = 0
    while True:
        histogram = reader.get_next_interval_histogram()
        if histogram is None:
            break
        if decoded >= len(written):
            problems.append("the reader returned more intervals than the file has lines")
            break
        tag, start, length, max_ms = written[decoded]
        decoded += 1
        if histogram.get_tag() != tag:
            problems.append(f"interval {decoded}: tag {histogram.get_tag()!r}, the line says {tag!r}")
        if start < last_start:
            problems.append(f"interval {decoded}: starts at {start}, before the one above it")
        last_start = start
        if abs(histogram.get_max_value() / 1e6 - max_ms) > 0.0005 + bucket(histogram, histogram.get_max_value()) / 1e6:
            problems.append(f"interval {decoded} ({tag or 'untagged'} at {start}): Interval_Max {max_ms} ms, "
                            f"the histogram's max {histogram.get_max_value() / 1e6:.6f} ms")
        if tag not in totals:
            totals[tag] = HdrHistogram(histogram.lowest_trackable_value, histogram.highest_trackable_value,
                                       histogram.significant_figures)
            intervals[tag] = 0
        totals[tag].add(histogram)
        intervals[tag] += 1
    if decoded != len(written):
        problems.append(f"{len(written)} interval lines, but the reader decoded only {decoded}")
    if None not in totals:
        problems.append("no untagged (publish->ack, corrected) intervals")

    print(f"{hlog}: {decoded} intervals decoded by the reference reader: "
          + ", ".join(f"{tag or 'untagged'} x{count}" for tag, count in intervals.items()))
    base = hgrm[:-len(".hgrm")] if hgrm.endswith(".hgrm") else hgrm
    for tag, total in totals.items():
        path = hgrm if tag is None else explicit.get(tag, f"{base}.{tag}.hgrm")
        if tag is not None and tag not in explicit and not os.path.exists(path):
            print(f"  {tag}: no {path}; not compared")
            continue
        compare(tag, total, path, problems)

    if problems:
        print(f"check-hlog: {len(problems)} disagreement(s):", file=sys.stderr)
        for problem in problems[:50]:
            print("  " + problem, file=sys.stderr)
        return 1
    print("check-hlog: OK")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (OSError, ValueError) as error:
        print(f"check-hlog.py: {error}", file=sys.stderr)
        sys.exit(2)
