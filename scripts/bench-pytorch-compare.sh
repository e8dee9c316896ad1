#!/usr/bin/env bash
# Siam against PyTorch on the same steps, alternating (Siam, PyTorch, Siam, PyTorch, ...):
# the figures of BENCHMARKS.md § Engine against PyTorch. Prints one line per trial pair and
# the median of the per-pair ratios for each part.
#
#   scripts/bench-pytorch-compare.sh [PAIRS] [PARTS]
#
# PARTS as in `siam bench --only` (default: the three convnet steps and the forward passes).
# Needs a release build and a venv with PyTorch's CPU wheel (scripts/bench-pytorch.py says
# how); TORCH_PYTHON points at its python (default .venv-torch/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."
PAIRS=${1:-3}
PARTS=${2:-simclr-convnet,byol-convnet,mocov2-convnet,forward-convnet}
SIAM=${SIAM:-$PWD/.build/release/siam}
TORCH_PYTHON=${TORCH_PYTHON:-$PWD/.venv-torch/bin/python}
THREADS=${THREADS:-2}
TRIALS=${TRIALS:-5}
[[ -x $SIAM ]] || { echo "build first: swift build -c release --product siam" >&2; exit 1; }
[[ -x $TORCH_PYTHON ]] || { echo "no PyTorch at $TORCH_PYTHON (see scripts/bench-pytorch.py)" >&2; exit 1; }

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for pair in $(seq 1 "$PAIRS"); do
  for part in ${PARTS//,/ }; do
    siam=$("$SIAM" bench --only "$part" --trials "$TRIALS" --threads "$THREADS" --json)
    torch=$("$TORCH_PYTHON" scripts/bench-pytorch.py --only "$part" --trials "$TRIALS" --threads "$THREADS" --json)
    python3 - "$pair" "$part" "$siam" "$torch" >> "$results" <<'PY'
import json, sys
pair, part, siam, torch = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
key = (part.split("-")[1] + "_forward" if part.startswith("forward") else part.replace("-", "_")) + "_images_per_second"
print(pair, part, siam[key], torch[key])
PY
    tail -1 "$results" | awk '{ printf "pair %s %-16s Siam %8.1f  PyTorch %8.1f images/s  ratio %.2f\n", $1, $2, $3, $4, $3 / $4 }'
  done
done
echo "medians over $PAIRS pairs ($THREADS threads):"
python3 - "$results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
for part in dict.fromkeys(r[1] for r in rows):
    mine = [r for r in rows if r[1] == part]
    ratios = [float(r[2]) / float(r[3]) for r in mine]
    print(f"  {part:16} Siam {statistics.median(float(r[2]) for r in mine):8.1f}  "
          f"PyTorch {statistics.median(float(r[3]) for r in mine):8.1f} images/s  "
          f"ratio {statistics.median(ratios):.2f} (pairs: {', '.join(f'{x:.2f}' for x in ratios)})")
PY
