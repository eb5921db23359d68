#!/usr/bin/env bash
# One interleaved sitting of Ringfold's Fashion-MNIST trainer vs PyTorch DDP (gloo, CPU, one thread a rank), the MLP
# 784-256-128-10 with SGD momentum and the same global batch, at np = 1 and 2 (NPS), as quoted in BENCHMARKS.md.
# Both report their last epoch (the JIT and the caches warm): samples/s, the step time, a compute-only step
# (forward and backward without gradient synchronisation and without the update, PyTorch's no_sync) and the
# difference, the communication overhead per step. Prints the load average before each run; compare ratios.
# Needs `make build`, python3-torch and dataset-fashion-mnist. EPOCHS (default 3) and BATCH (default 128) apply to both;
# ROUNDS (default 2) repeats the whole alternation (ours, DDP, ours, DDP ...) so load drifts hit both sides;
# NPS (default "1 2"; e.g. "1 2 4") the rank counts, each scaling line against np = 1 of the same round;
# BUCKET_BYTES (default: the trainer's, 128 KiB) and OURS_ARGS (e.g. "--trace", "--private-buckets") go to the
# Ringfold trainer only. PEER=elastic puts the Ringfold trainer with --elastic 1:np (mpjrun's --elastic too; no
# failure) in DDP's place: the cost of the elastic machinery when nothing fails. PEER=replicated puts the Ringfold
# trainer with --replicated-update (every rank updates the whole model, as before the sharded update) in its place.
set -u
ROOT=$(dirname "$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")")
TORCH=${TORCH:-$ROOT/../shared/anchors/torch/ddp_fashion_mnist.py}
EPOCHS=${EPOCHS:-3}
BATCH=${BATCH:-128}
ROUNDS=${ROUNDS:-2}
NPS=${NPS:-1 2}
BUCKET_BYTES=${BUCKET_BYTES:-131072}
OURS_ARGS=${OURS_ARGS:-}
PEER=${PEER:-torch}
JAR=$ROOT/build/lib/ringfold-examples-0.1.0-SNAPSHOT.jar
cd "$ROOT" || exit 1
[ -f "$JAR" ] || { echo "no $JAR: run 'make build' first" >&2; exit 1; }
[ "$PEER" = elastic ] || [ "$PEER" = replicated ] || [ -f "$TORCH" ] || { echo "no PyTorch anchor at $TORCH (set TORCH=...)" >&2; exit 1; }
L() { echo "## load $(cut -d' ' -f1-3 /proc/loadavg) :: $*" >&2; }

# "samples/s step_ms compute_ms overhead_ms" of the last epoch
ours() {
  bin/mpjrun -np "$1" ${LAUNCH_ARGS:-} --no-tag-output -cp "$JAR" dev.ringfold.examples.fashion.FashionMnistTraining \
    --epochs "$EPOCHS" --batch-size "$BATCH" --optimizer sgd --schedule constant --bucket-bytes "$BUCKET_BYTES" --timing $OURS_ARGS 2>/dev/null |
    tee -a "${LOG:-/dev/null}" |
    awk '/^epoch .* 100% /{ for (i = 1; i <= NF; i++) if ($i == "samples/s" || $i == "samples/s,") { s = $(i - 1); gsub(",", "", s) } }
         /^timing:/{ step = $3; compute = $7; over = $10 }
         END { printf "%s %s %s %s\n", s, step, compute, over }'
}
torch() {
  if [ "$PEER" = elastic ]; then
    LAUNCH_ARGS="--elastic 1:$1" OURS_ARGS="$OURS_ARGS --elastic 1:$1" ours "$1"
    return
  fi
  if [ "$PEER" = replicated ]; then
    OURS_ARGS="$OURS_ARGS --replicated-update" ours "$1"
    return
  fi
  /usr/bin/python3 "$TORCH" "$1" "$EPOCHS" "$BATCH" 2>/dev/null | tee -a "${LOG:-/dev/null}" |
    awk '/samples\/s/{ s = $4; step = $7; compute = $11; over = $16 }
         END { printf "%s %s %s %s\n", s, step, compute, over }'
}

declare -A R
L start
for round in $(seq "$ROUNDS"); do
  for np in $NPS; do
    L "round $round ringfold np=$np"; R[ours$np.$round]=$(ours "$np")
    L "round $round $PEER np=$np"; R[torch$np.$round]=$(torch "$np")
  done
done
L end

P=$(case "$PEER" in elastic) echo "elastic" ;; replicated) echo "replicated update" ;; *) echo "DDP" ;; esac)
echo "| round | np | Ringfold samples/s | $P samples/s | Ringfold / $P | Ringfold step, compute, overhead (ms) | $P step, compute, overhead (ms) |"
echo "|---:|---:|---:|---:|---:|---|---|"
for round in $(seq "$ROUNDS"); do
  for np in $NPS; do
    read -r os ostep ocomp oover <<<"${R[ours$np.$round]}"
    read -r ts tstep tcomp tover <<<"${R[torch$np.$round]}"
    awk -v r="$round" -v np="$np" -v os="$os" -v ts="$ts" -v a="$ostep" -v b="$ocomp" -v c="$oover" -v d="$tstep" -v e="$tcomp" -v f="$tover" \
      'BEGIN { printf "| %d | %d | %s | %s | %.2f | %s, %s, %s | %s, %s, %s |\n", r, np, os, ts, (ts > 0 ? os / ts : 0), a, b, c, d, e, f }'
  done
  [[ " $NPS " == *" 1 "* ]] || continue # scaling lines are against np = 1 of the same round
  for np in $NPS; do
    [ "$np" = 1 ] && continue
    awk -v a="${R[ours1.$round]%% *}" -v b="${R[ours$np.$round]%% *}" -v c="${R[torch1.$round]%% *}" -v d="${R[torch$np.$round]%% *}" -v r="$round" -v np="$np" -v p="$P" \
      'BEGIN { printf "round %d scaling np=%d / np=1: Ringfold %.2f, %s %.2f\n", r, np, (a > 0 ? b / a : 0), p, (c > 0 ? d / c : 0) }'
  done
done
