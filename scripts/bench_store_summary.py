#!/usr/bin/env python3
"""The summary of scripts/bench-store.sh: RESULTS_DIR REPEATS RATE -> markdown on stdout."""
import json, os, re, statistics, sys
res, repeats, rate = sys.argv[1], int(sys.argv[2]), sys.argv[3]
print(f"# Shared store: added latency at {rate} req/s, SQLite vs PostgreSQL\n")
print(f"- Load average when the summary was written: {open('/proc/loadavg').read().split()[:3]} (a shared machine: noisy)\n")
print("| run | store | load at start | added P50 ms (json) | added P99 ms (json) | added P50 ms (stream) | added P99 ms (stream) | errors json / stream |")
print("|---|---|---|---|---|---|---|---|")
med = {}


def load(r, store):
    f = os.path.join(res, "raw", f"{store}-{r}.load")
    return open(f).read().strip() if os.path.exists(f) else "–"


def store_operations(f):
    """Mean milliseconds and count per operation, from a replica's tandem_store_operation_seconds sum and count."""
    ops = {}
    for line in open(f):
        m = re.match(r'tandem_store_operation_seconds_(sum|count)\{operation="([^"]+)".*\}\s+(\S+)', line)
        if m:
            ops.setdefault(m.group(2), {})[m.group(1)] = float(m.group(3))
    return {k: (1000 * v["sum"] / v["count"], int(v["count"])) for k, v in ops.items() if v.get("count")}


for r in range(1, repeats + 1):
    for store in ("sqlite", "postgres"):
        f = os.path.join(res, f"{store}-{r}", "gateway.json")
        if not os.path.exists(f):
            print(f"| {r} | {store} | {load(r, store)} | failed | | | | |"); continue
        g = json.load(open(f))
        for k in ("jsonAddedP50", "jsonAddedP99", "streamAddedP50", "streamAddedP99"):
            med.setdefault((store, k), []).append(g[k])
        print(f"| {r} | {store} | {load(r, store)} | {g['jsonAddedP50']:.2f} | {g['jsonAddedP99']:.2f} | {g['streamAddedP50']:.2f} | {g['streamAddedP99']:.2f} | {g['jsonErrors']} / {g['streamErrors']} |")
for store in ("sqlite", "postgres"):
    vals = [statistics.median(med.get((store, k), [float('nan')])) for k in ("jsonAddedP50", "jsonAddedP99", "streamAddedP50", "streamAddedP99")]
    print(f"| median | {store} | | " + " | ".join(f"{v:.2f}" for v in vals) + " | |")
print("\nThe shared store's own cost is the PostgreSQL row minus the SQLite row (same machine, back to back).\n")
runs = {r: store_operations(os.path.join(res, "raw", f"postgres-{r}-store-metrics.txt")) for r in range(1, repeats + 1)
        if os.path.exists(os.path.join(res, "raw", f"postgres-{r}-store-metrics.txt"))}
if runs:
    print("## PostgreSQL calls per request: mean ms (count) of each, from the replica's /metrics\n")
    names = sorted({op for ops in runs.values() for op in ops})
    print("| operation | " + " | ".join(f"run {r}" for r in runs) + " |")
    print("|---|" + "---|" * len(runs))
    for op in names:
        cells = [f"{runs[r][op][0]:.2f} ({runs[r][op][1]})" if op in runs[r] else "–" for r in runs]
        print(f"| {op} | " + " | ".join(cells) + " |")
    print()
for n in sorted(d for d in os.listdir(res) if d.startswith("replicas-")):
    md = os.path.join(res, n, "gateway.md")
    if os.path.exists(md):
        text = open(md).read()
        i = text.find("Ramp through Tandem")
        print(f"## {n.replace('replicas-', '')} replica(s) on PostgreSQL behind HAProxy\n")
        print(text[i:] if i >= 0 else text)
