#!/usr/bin/env bash
# Sweep executor figures for BENCHMARKS.md (release build; the machine otherwise idle).
#
#   scripts/bench-sweep.sh throughput [PAIRS]   in-process sweep vs --executor local --jobs 2,
#                                               alternating, each trial in a fresh runs folder
#   scripts/bench-sweep.sh scale [POINTS]       a POINTS-point sweep on the one-machine Slurm
#                                               cluster: planning, submission, status, merging
set -euo pipefail
cd "$(dirname "$0")/.."
SIAM=${SIAM:-$PWD/.build/release/siam}
[[ -x $SIAM ]] || { echo "build first: swift build -c release --product siam" >&2; exit 1; }
WORK=${WORK:-/tmp/siam-bench-sweep}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }

throughput() {
  local pairs=${1:-3}
  # Four temperatures of the SimCLR ablation on a Fashion-MNIST subset: the dataset stage
  # is shared, each point pretrains (2 epochs of 4,000 images), probes and runs kNN.
  local args=(pipelines/ablation-temperature.yaml --set seed=1 --set stages.data.limit=4000
    --set stages.data.test_limit=1000 --set stages.pretrain.epochs=2 --set stages.linear.epochs=5 --quiet)
  rm -rf "$WORK"; mkdir -p "$WORK"
  for pair in $(seq 1 "$pairs"); do
    local t0 t1
    t0=$(now)
    "$SIAM" sweep "${args[@]}" --runs "$WORK/seq-$pair" --threads 2 > /dev/null
    t1=$(elapsed "$t0")
    local t2 t3
    t2=$(now)
    "$SIAM" sweep "${args[@]}" --runs "$WORK/local-$pair" --executor local --jobs 2 > /dev/null
    t3=$(elapsed "$t2")
    printf 'pair %d: in-process (2 threads) %.1f s, local --jobs 2 (1 thread each) %.1f s, speed-up %.2f\n' \
      "$pair" "$t1" "$t3" "$(calc "$t1 / $t3")"
  done
}

scale() {
  local points=${1:-1000}
  scripts/slurm-local.sh start > /dev/null
  rm -rf "$WORK"; mkdir -p "$WORK"
  cat > "$WORK/scale.yaml" <<'EOF'
name: scale
seed: 1
stages:
  data: {kind: dataset, source: synthetic, samples: 64, test_samples: 32, classes: 4, shape: [1, 8, 8]}
  knn: {kind: knn, needs: [data], k: 5}
EOF
  local step
  step=$(calc "10 / $points")
  local axis="stages.knn.temperature=range($step,$(calc "$step * ($points + 0.5)"),$step)"
  cd "$WORK"
  local t0
  t0=$(now)
  "$SIAM" sweep scale.yaml --set "$axis" --dry-run --json > dry-run.json
  printf 'plan %d points (expand, validate, plan; whole command): %.2f s\n' "$points" "$(elapsed "$t0")"
  t0=$(now)
  local id
  id=$("$SIAM" sweep scale.yaml --set "$axis" --executor slurm --partition debug --no-wait --quiet 2> submit.log)
  printf 'plan + submit (sbatch calls: %s): %.2f s\n' \
    "$(grep -c '"jobID"' "runs/sweeps/$id/executor.json")" "$(elapsed "$t0")"
  t0=$(now)
  "$SIAM" sweep status "$id" --format csv > status-1.csv
  printf 'siam sweep status on %d points (queued/running): %.2f s\n' "$points" "$(elapsed "$t0")"
  # Let some points finish (the one-machine cluster starts a few tasks a second), then
  # time the status that merges their shards, and the cancel of the rest.
  local want=${MERGE_POINTS:-200}
  while (( $(grep -l '"finished"' runs/sweeps/"$id"/points/*.task.json 2> /dev/null | wc -l) < want )); do sleep 2; done
  t0=$(now)
  "$SIAM" sweep status "$id" --format csv > status-2.csv
  local merged count
  merged=$(elapsed "$t0")
  count=$(grep -c ',finished,' status-2.csv)
  printf 'siam sweep status merging %d finished shards: %.2f s (%.1f ms a shard)\n' "$count" "$merged" \
    "$(calc "$merged * 1000 / $count")"
  t0=$(now)
  "$SIAM" sweep status "$id" --format csv > status-3.csv
  printf 'siam sweep status again (nothing new to merge): %.2f s\n' "$(elapsed "$t0")"
  t0=$(now)
  "$SIAM" sweep cancel "$id" > cancel.txt
  printf 'siam sweep cancel of the %d points left: %.2f s\n' "$((points - $(grep -c ',finished,' status-3.csv)))" "$(elapsed "$t0")"
}

case "${1:-}" in
  throughput) shift; throughput "$@" ;;
  scale) shift; scale "$@" ;;
  *) echo "usage: $0 throughput [PAIRS] | scale [POINTS]" >&2; exit 2 ;;
esac
