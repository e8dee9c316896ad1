#!/usr/bin/env python3
"""Where oneDNN's time goes in a `siam bench` part, by primitive (BENCHMARKS.md § Training steps).

    ONEDNN_VERBOSE=1 .build/release/siam bench --only simclr-convnet --trials 5 2>&1 \\
      | scripts/onednn-primitive-times.py

Reads oneDNN 2.6's verbose lines from standard input, adds up the `exec` times of each
(primitive kind, implementation, propagation, shape), and prints each one's total, share of
all oneDNN time, number of calls and, for convolutions, GFLOP/s on the thread that ran it
(2 × multiply-adds of the call's shape / its time).
"""
import collections
import re
import sys

totals = collections.defaultdict(lambda: [0, 0.0])
for line in sys.stdin:
    fields = line.strip().split(",")
    if len(fields) < 6 or fields[0] != "onednn_verbose" or fields[1] != "exec":
        continue
    key = (fields[3], fields[4], fields[5], fields[-2])
    totals[key][0] += 1
    totals[key][1] += float(fields[-1])


def flops(shape):
    """2 × multiply-adds of a convolution descriptor such as mb16_ic32oc64_ih28oh14kh3..._iw28ow14kw3..."""
    d = {k: int(v) for k, v in re.findall(r"([a-z]+)(\d+)", shape)}
    if not all(k in d for k in ("mb", "ic", "oc", "oh", "ow", "kh", "kw")):
        return None
    return 2 * d["mb"] * d["ic"] * d["oc"] * d["oh"] * d["ow"] * d["kh"] * d["kw"]


everything = sum(t for _, t in totals.values()) or 1
print(f"{'ms':>9} {'share':>6} {'calls':>6} {'GFLOP/s':>8}  primitive")
for (kind, impl, prop, shape), (calls, ms) in sorted(totals.items(), key=lambda kv: -kv[1][1]):
    f = flops(shape) if kind == "convolution" else None
    rate = f"{f * calls / (ms * 1e6):8.1f}" if f and ms > 0 else f"{'':8}"
    print(f"{ms:9.1f} {100 * ms / everything:5.1f}% {calls:6d} {rate}  {kind} {impl} {prop} {shape}")
