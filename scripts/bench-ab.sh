#!/usr/bin/env bash
# Two Siam binaries against each other on the same steps, alternating (A, B, B, A, A, B,
# ...: the order flips every pair), for changes measured in BENCHMARKS.md. Prints, per
# part, the median of the per-pair ratios B/A and every pair's ratio.
#
#   scripts/bench-ab.sh A B [PAIRS] [PARTS] [TRIALS]
#
# A and B are `siam` executables (for example the release build of main copied aside, and
# the release build of a change). PARTS as in `siam bench --only` (default: the three
# convnet steps and the convnet forward pass); TRIALS per run (default 7). The machine
# drifts 1.3–2× within minutes: a ratio counts only from alternating pairs, 10 or more.
set -euo pipefail
A=${1:?usage: scripts/bench-ab.sh A B [PAIRS] [PARTS] [TRIALS]}
B=${2:?usage: scripts/bench-ab.sh A B [PAIRS] [PARTS] [TRIALS]}
PAIRS=${3:-10}
PARTS=${4:-simclr-convnet,byol-convnet,mocov2-convnet,forward-convnet}
TRIALS=${5:-7}
for binary in "$A" "$B"; do [[ -x $binary ]] || { echo "not an executable: $binary" >&2; exit 1; }; done

python3 - "$A" "$B" "$PAIRS" "$PARTS" "$TRIALS" <<'PY'
import json, statistics, subprocess, sys

a, b, pairs, parts, trials = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].split(","), sys.argv[5]


def images_per_second(binary, part):
    run = subprocess.run(
        [binary, "bench", "--only", part, "--trials", trials, "--json"], capture_output=True, text=True, check=True
    )
    name = part.split("-")[1] + "_forward" if part.startswith("forward") else part.replace("-", "_")
    return json.loads(run.stdout)[name + "_images_per_second"]


ratios = {part: [] for part in parts}
for pair in range(pairs):
    for part in parts:
        if pair % 2 == 0:
            first, second = images_per_second(a, part), images_per_second(b, part)
        else:
            second, first = images_per_second(b, part), images_per_second(a, part)
        ratios[part].append(second / first)
        print(f"pair {pair + 1} {part:18s} B/A {second / first:.3f}", flush=True)
print(f"medians over {pairs} pairs:")
for part, values in ratios.items():
    listed = ", ".join(f"{v:.2f}" for v in values)
    print(f"  {part:18s} B/A {statistics.median(values):.3f}  ({listed})")
PY
