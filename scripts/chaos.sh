#!/usr/bin/env bash
# Siam's fault-injection suite: kills, concurrency, damaged files and a fuzz of --set
# values, with figures (RELIABILITY.md records them).
#
#   scripts/chaos.sh            the full suite (100 kills; a few minutes on 2 cores)
#   scripts/chaos.sh quick      the short version `make test` runs (about a minute)
#
# SIAM (default: .build/release/siam, else .build/debug/siam) is the binary under test.
# Exit status 0 only when every property held; each failure is printed as FAIL: ...
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MODE=${1:-full}
if [[ $MODE == quick ]]; then
  KILLS=${KILLS:-10}; PROCS=${PROCS:-3}; EPOCHS=${EPOCHS:-10}; FUZZ_KEYS=${FUZZ_KEYS:-6}
else
  KILLS=${KILLS:-100}; PROCS=${PROCS:-6}; EPOCHS=${EPOCHS:-30}; FUZZ_KEYS=${FUZZ_KEYS:-12}
fi
SIAM=${SIAM:-}
if [[ -z $SIAM ]]; then
  if [[ -x .build/release/siam ]]; then SIAM=$ROOT/.build/release/siam; else SIAM=$ROOT/.build/debug/siam; fi
fi
[[ -x $SIAM ]] || { echo "chaos: no siam binary at $SIAM (swift build first)" >&2; exit 1; }
SIAM=$(cd "$(dirname "$SIAM")" && pwd)/$(basename "$SIAM")  # the suite works in other folders
WORK=$(mktemp -d /tmp/siam-chaos.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
FAILURES=0
fail() { echo "FAIL: $*"; FAILURES=$((FAILURES + 1)); }
say() { echo "chaos: $*"; }

# A pipeline of a few seconds: synthetic data, a 30-epoch (EPOCHS) SimCLR pretraining
# that checkpoints every epoch, kNN and a linear probe.
pipeline() {
  cat > "$1" <<'EOF'
name: chaos
seed: 11
augmentations:
  view:
    - random_resized_crop: {size: 12, scale: [0.5, 1.0]}
    - horizontal_flip: {p: 0.5}
encoders:
  small: {type: convnet, widths: [8, 16], strides: [1, 2]}
stages:
  data: {kind: dataset, source: synthetic, samples: 256, test_samples: 64, classes: 4, shape: [1, 12, 12]}
  pretrain:
    kind: pretrain
    needs: [data]
    encoder: small
    views: [view, view]
    method: {type: simclr, temperature: 0.5, projector: [16, 16]}
    optimizer: {type: sgd, lr: 0.05}
    epochs: 30
    batch_size: 32
  knn: {kind: knn, needs: [pretrain], k: 5}
  linear: {kind: linear_probe, needs: [pretrain], epochs: 3, batch_size: 32}
sweep:
  grid:
    stages.knn.k: [3, 7]
EOF
}

# The final metrics of a run's --json result, one `stage key context value` a line
# (metrics are a list of {key, context, value}); fails on a result without any.
metrics() { python3 -c '
import json, sys
r = json.load(sys.stdin)
lines = []
for s in sorted(r["stages"], key=lambda s: s["name"]):
    for m in s.get("metrics", []):
        k = m["key"]
        if "second" not in k and k != "images_per_second" and "wait" not in k:
            lines.append(" ".join([s["name"], k, json.dumps(m["context"], sort_keys=True), repr(m["value"])]))
if not lines:
    sys.exit("no final metrics in the result")
print("\n".join(sorted(lines)))'; }

# Whether a status is a signal (trap, abort) or a timeout (hang).
is_crash() { (( $1 == 124 || $1 >= 128 )); }

# --- 1. Kills -------------------------------------------------------------------------
kills() {
  say "1. $KILLS SIGKILLs at random moments of runs and sweeps, then a completing run"
  mkdir -p "$WORK/ref" "$WORK/kill"
  pipeline "$WORK/p.yaml"
  sed -i "s/epochs: 30/epochs: $EPOCHS/" "$WORK/p.yaml"
  local t0 window
  t0=$(date +%s.%N)
  if ! (cd "$WORK/ref" && "$SIAM" run ../p.yaml --threads 1 --quiet --json > run.json 2> run.err); then
    fail "the reference run failed: $(tail -3 "$WORK/ref/run.err")"
    return
  fi
  # Kills land uniformly over the length of an uninterrupted run.
  window=${KILL_WINDOW:-$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')}
  if ! metrics < "$WORK/ref/run.json" > "$WORK/ref/metrics.txt"; then
    fail "the reference run's result has no readable final metrics"
    return
  fi
  # Cycles: from an empty cache, start the pipeline (a run, or every fourth cycle the
  # sweep) and SIGKILL it at a random moment, again and again, until one attempt
  # finishes on its own; that run's metrics must equal the uninterrupted run's. Then the
  # cache is emptied (the store is kept) and the next cycle starts, until KILLS kills.
  local killed=0 cycles=0 identical=yes attempts
  while ((killed < KILLS)); do
    cycles=$((cycles + 1))
    if ((cycles > 5 * KILLS + 10)); then
      fail "only $killed kills landed in $cycles cycles: every attempt ends before its kill"
      break
    fi
    rm -rf "$WORK"/kill/runs/cache
    local command=run
    ((cycles % 4 == 0)) && command=sweep
    for ((attempts = 0; attempts < 200; attempts++)); do
      local delay
      delay=$(python3 -c "import random; print(round(random.uniform(0.02, $window), 3))")
      if [[ $command == run ]]; then
        (cd "$WORK/kill" && exec "$SIAM" run ../p.yaml --threads 1 --quiet --json > attempt.json 2> /dev/null) &
      else
        (cd "$WORK/kill" && exec "$SIAM" sweep ../p.yaml --threads 1 --quiet > /dev/null 2>&1) &
      fi
      local pid=$!
      sleep "$delay"
      if kill -9 "$pid" 2> /dev/null; then
        killed=$((killed + 1))
        wait "$pid" 2> /dev/null
        ((killed >= KILLS)) && break
      else
        wait "$pid" 2> /dev/null
        break
      fi
    done
    # Complete the cycle and compare.
    (cd "$WORK/kill" && "$SIAM" run ../p.yaml --threads 1 --quiet --json > final.json 2> final.err) \
      || fail "cycle $cycles: the completing run failed: $(tail -3 "$WORK/kill/final.err")"
    metrics < "$WORK/kill/final.json" > "$WORK/kill/metrics.txt" \
      || fail "cycle $cycles: the completing run's result has no readable final metrics"
    if ! cmp -s "$WORK/ref/metrics.txt" "$WORK/kill/metrics.txt"; then
      identical=no
      fail "cycle $cycles: after kills the metrics differ: $(diff "$WORK/ref/metrics.txt" "$WORK/kill/metrics.txt" | head -4)"
    fi
  done
  local integrity
  integrity=$(cd "$WORK/kill" && "$SIAM" query "PRAGMA integrity_check" --format csv | tail -1)
  [[ $integrity == ok ]] || fail "integrity_check: $integrity"
  # Every stage recorded as completed or cached has its cache entry, and it verifies
  # (the next plan says cached for the completing run's stages).
  local lost
  lost=$(cd "$WORK/kill" && "$SIAM" query "SELECT fingerprint FROM stage_run WHERE status IN ('completed','cached') AND run = (SELECT id FROM run ORDER BY started_at DESC LIMIT 1)" --format csv \
    | tail -n +2 | while read -r fp; do [[ -f runs/cache/${fp:0:2}/$fp/manifest.json ]] || echo "$fp"; done | wc -l)
  ((lost == 0)) || fail "$lost finished stages have no cache entry"
  local replanned
  replanned=$(cd "$WORK/kill" && "$SIAM" plan ../p.yaml --json | python3 -c 'import json,sys; print(sum(not s["cache_hit"] for s in json.load(sys.stdin)["stages"]))')
  ((replanned == 0)) || fail "$replanned stages are not cache hits after the completing run"
  local runs killed_runs
  runs=$(cd "$WORK/kill" && "$SIAM" query "SELECT count(*) FROM run" --format csv | tail -1)
  killed_runs=$(cd "$WORK/kill" && "$SIAM" query "SELECT count(*) FROM run WHERE status = 'killed'" --format csv | tail -1)
  say "   kills: $killed delivered in $cycles cycles (uniform over the ${window} s of a run); runs recorded: $runs ($killed_runs marked killed); every cycle's final metrics identical to the uninterrupted run: $identical; integrity_check: $integrity; finished stages without entry: $lost"
}

# --- 2. Processes at once -------------------------------------------------------------
concurrency() {
  say "2. $PROCS processes at once on one store and cache (runs, sweeps sharing stages, cache gc)"
  mkdir -p "$WORK/conc"
  pipeline "$WORK/c.yaml"
  sed -i 's/epochs: 30/epochs: 6/' "$WORK/c.yaml"
  local pids=() i
  for ((i = 0; i < PROCS; i++)); do
    case $((i % 3)) in
      0) (cd "$WORK/conc" && exec "$SIAM" run ../c.yaml --threads 1 --quiet > "out-$i.txt" 2> "err-$i.txt") & ;;
      1) (cd "$WORK/conc" && exec "$SIAM" sweep ../c.yaml --threads 1 --quiet > "out-$i.txt" 2> "err-$i.txt") & ;;
      2) (cd "$WORK/conc" && for _ in 1 2 3 4 5; do "$SIAM" cache gc > /dev/null 2>> "err-$i.txt"; sleep 0.3; done) & ;;
    esac
    pids+=($!)
  done
  local bad=0 pid status
  for pid in "${pids[@]}"; do
    wait "$pid"
    status=$?
    ((status == 0)) || bad=$((bad + 1))
  done
  ((bad == 0)) || fail "$bad of $PROCS processes failed: $(cat "$WORK"/conc/err-*.txt | grep -i error | head -3)"
  local lock_errors
  lock_errors=$(cat "$WORK"/conc/err-*.txt | grep -ci "locked\|busy" || true)
  ((lock_errors == 0)) || fail "$lock_errors lock errors shown to a user"
  local expected_runs recorded twice
  expected_runs=$(( (PROCS + 2) / 3 + ((PROCS + 1) / 3) * 2 ))
  recorded=$(cd "$WORK/conc" && "$SIAM" query "SELECT count(*) FROM run WHERE status = 'finished'" --format csv | tail -1)
  ((recorded == expected_runs)) || fail "$recorded finished runs recorded, $expected_runs expected"
  twice=$(cd "$WORK/conc" && "$SIAM" query "SELECT count(*) FROM (SELECT fingerprint FROM stage_run WHERE status = 'completed' GROUP BY fingerprint HAVING count(*) > 1)" --format csv | tail -1)
  ((twice == 0)) || fail "$twice stages were computed more than once"
  say "   processes: $PROCS ($bad failed); finished runs recorded: $recorded of $expected_runs; lock errors shown: $lock_errors; stages computed twice: $twice"
}

# --- 3. Damaged files and a fuzz of --set values ---------------------------------------
damage() {
  say "3. Damaged files (dataset, checkpoint, cache entry, store) and a fuzz of --set values"
  mkdir -p "$WORK/dmg"
  pipeline "$WORK/d.yaml"
  sed -i 's/epochs: 30/epochs: 4/' "$WORK/d.yaml"
  local tried=0 handled=0 crashes=0 damaged_checkpoints=0
  check() {  # check NAME STATUS EXPECTED(ok|error) OUTPUT
    tried=$((tried + 1))
    if is_crash "$2"; then crashes=$((crashes + 1)); fail "$1: exit $2 (crash or hang): $(echo "$4" | tail -2)";
    elif [[ $3 == ok && $2 -eq 0 ]] || [[ $3 == error && $2 -eq 1 && $4 == *error* ]]; then handled=$((handled + 1));
    else fail "$1: exit $2, expected $3: $(echo "$4" | tail -2)"; fi
  }
  local out status
  # A dataset file truncated, emptied, or replaced by garbage: one clear error.
  mkdir -p "$WORK/dmg/fm"
  local name
  for name in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
    cp /usr/share/datasets/fashion-mnist/$name "$WORK/dmg/fm/" 2> /dev/null || true
  done
  local kind
  for kind in truncate empty garbage; do
    local copy="$WORK/dmg/fm-$kind"
    cp -r "$WORK/dmg/fm" "$copy"
    case $kind in
      truncate) head -c 5000 "$WORK/dmg/fm/train-images-idx3-ubyte.gz" > "$copy/train-images-idx3-ubyte.gz" ;;
      empty) : > "$copy/train-labels-idx1-ubyte.gz" ;;
      garbage) head -c 4096 /dev/urandom > "$copy/t10k-images-idx3-ubyte.gz" ;;
    esac
    out=$(cd "$WORK/dmg" && timeout 60 "$SIAM" plan ../d.yaml --set "stages.data={kind: dataset, source: fashion-mnist, path: $copy, limit: 100}" 2>&1); status=$?
    check "dataset ($kind)" $status error "$out"
  done
  # Cache entries: a flipped byte, a symlink to /dev/zero, a FIFO, a path leaving the entry.
  (cd "$WORK/dmg" && "$SIAM" run ../d.yaml --threads 1 --quiet > /dev/null 2>&1) || fail "the damage pipeline does not run"
  local entry
  for kind in flip symlink fifo escape; do
    entry=$(cd "$WORK/dmg" && "$SIAM" plan ../d.yaml --json | python3 -c 'import json,sys; print([s["fingerprint"] for s in json.load(sys.stdin)["stages"] if s["name"]=="pretrain"][0])')
    entry="$WORK/dmg/runs/cache/${entry:0:2}/$entry"
    case $kind in
      flip) python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[-3]^=1; open(p,'wb').write(b)" "$entry/encoder.safetensors" ;;
      symlink) rm "$entry/encoder.safetensors"; ln -s /dev/zero "$entry/encoder.safetensors" ;;
      fifo) rm "$entry/encoder.safetensors"; mkfifo "$entry/encoder.safetensors" ;;
      escape) sed -i 's#"encoder.safetensors"#"../../../../../../etc/hostname"#' "$entry/manifest.json" ;;
    esac
    out=$(cd "$WORK/dmg" && timeout 60 "$SIAM" run ../d.yaml --threads 1 --quiet 2>&1); status=$?
    check "cache entry ($kind): recomputed" $status ok "$out"
  done
  # A checkpoint truncated, then a bit flipped: the run falls back and completes.
  for kind in truncate flip; do
    # Kill the run once two checkpoints exist (the newest two are kept), then damage the newest.
    (cd "$WORK/dmg" && exec "$SIAM" run ../d.yaml --threads 1 --quiet --set stages.pretrain.epochs=40 > /dev/null 2>&1) &
    local runner=$! waited
    for ((waited = 0; waited < 600; waited++)); do
      (($(ls "$WORK"/dmg/runs/cache/work/*/checkpoints/epoch-*.safetensors.sha256 2> /dev/null | wc -l) >= 2)) && break
      kill -0 "$runner" 2> /dev/null || break
      sleep 0.1
    done
    kill -9 "$runner" 2> /dev/null
    wait "$runner" 2> /dev/null
    local checkpoint
    checkpoint=$(ls -t "$WORK"/dmg/runs/cache/work/*/checkpoints/epoch-*.safetensors 2> /dev/null | head -1)
    if [[ -n $checkpoint ]]; then
      damaged_checkpoints=$((damaged_checkpoints + 1))
      if [[ $kind == truncate ]]; then head -c 300 "$checkpoint" > "$checkpoint.x" && mv "$checkpoint.x" "$checkpoint";
      else python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[-2]^=1; open(p,'wb').write(b)" "$checkpoint"; fi
    fi
    out=$(cd "$WORK/dmg" && timeout 300 "$SIAM" run ../d.yaml --threads 1 --quiet --set stages.pretrain.epochs=40 2>&1); status=$?
    check "checkpoint ($kind): resumed or restarted" $status ok "$out"
    local newest
    newest=$(ls -td "$WORK"/dmg/runs/20*/ | head -1)
    if [[ -n $checkpoint ]] && ! grep -q "falling back\|checksum\|damaged" "$newest/run.log"; then
      fail "checkpoint ($kind): the damage was not reported in the run's log"
    fi
    rm -rf "$WORK"/dmg/runs/cache/??/*  # next round starts from nothing cached
  done
  # The store: truncated, garbage; reading commands give one clear error.
  for kind in truncate garbage; do
    mkdir -p "$WORK/dmg/store-$kind"
    cp "$WORK/dmg/runs/siam.sqlite" "$WORK/dmg/store-$kind/s.sqlite" 2> /dev/null
    case $kind in
      truncate) head -c 1000 "$WORK/dmg/runs/siam.sqlite" > "$WORK/dmg/store-$kind/s.sqlite" ;;
      garbage) head -c 8192 /dev/urandom > "$WORK/dmg/store-$kind/s.sqlite" ;;
    esac
    out=$(timeout 30 "$SIAM" runs --store "$WORK/dmg/store-$kind/s.sqlite" 2>&1); status=$?
    check "store ($kind)" $status error "$out"
  done
  # A fuzz of --set values by type: integers, numbers, strings, lists.
  local keys=(seed stages.pretrain.epochs stages.pretrain.method.temperature augmentations.view.0.random_resized_crop.size
    stages.pretrain.method.projector stages.knn.k stages.pretrain.batch_size stages.data.samples stages.data.limit
    stages.pretrain.optimizer.lr encoders.small.widths stages.linear.epochs)
  keys=("${keys[@]:0:$FUZZ_KEYS}")
  local values=(-1 0 1 2147483648 9007199254740993 9223372036854775807 -9223372036854775808 1e308 -1e308 nan .inf
    -.inf '"text"' '[1,2]' '{}' "''" '[100000, 100000]' 100000 0.5 '[]' null true)
  local key value
  for key in "${keys[@]}"; do
    for value in "${values[@]}"; do
      out=$(cd "$WORK/dmg" && timeout 20 "$SIAM" plan ../d.yaml --set "$key=$value" 2>&1); status=$?
      tried=$((tried + 1))
      if is_crash $status; then crashes=$((crashes + 1)); fail "--set $key=$value: exit $status: $(echo "$out" | tail -1)";
      elif ((status == 0)) || [[ $status -eq 1 && $out == *error* ]]; then handled=$((handled + 1));
      else fail "--set $key=$value: exit $status without an error message"; fi
    done
  done
  say "   damaged files and --set values tried: $tried (checkpoints actually damaged mid-run: $damaged_checkpoints of 2); clear error or correct recovery: $handled; crashes or hangs: $crashes"
}

start=$(date +%s)
kills
concurrency
damage
say "done in $(($(date +%s) - start)) s with $FAILURES failure(s) ($MODE suite, $SIAM)"
((FAILURES == 0))
