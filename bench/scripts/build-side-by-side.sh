#!/usr/bin/env bash
# Two builds of Ringfold side by side, alternating (A B, then B A, ...), as BENCHMARKS.md quotes for a refactoring
# that must not slow the hot path: bench/scripts/build-side-by-side.sh BASE_LIB NEW_LIB [ROUNDS].
# BASE_LIB and NEW_LIB are jar folders (copies of build/lib from `make build` in each tree). Each round runs the
# 8 B / 64 KiB / 1 MiB ping-pong and the 8 B all-reduce over shared memory with spinning ranks, ITERS iterations
# (default 100000), and prints `uptime` before every run; take the medians over the rounds and compare ratios.
set -u
ROOT=$(dirname "$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")")
BASE=${1:?base jar folder}
NEW=${2:?new jar folder}
ROUNDS=${3:-5}
ITERS=${ITERS:-100000}
cd "$ROOT" || exit 1
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then order="$BASE $NEW"; else order="$NEW $BASE"; fi
  for lib in $order; do
    echo "== round $round $lib :: $(uptime)"
    RINGFOLD_LIB=$lib RINGFOLD_IDLE=spin bin/ringfold-bench latency -np 2 -dev shm --sizes 8,64K,1M \
      --iters "$ITERS" 2>/dev/null | grep -E '^(8 B|64 KiB|1 MiB)' | sed "s|^|latency $lib |"
    RINGFOLD_IDLE=spin RINGFOLD_LIB=$lib bin/ringfold-bench allreduce -np 2 -dev shm --sizes 8 \
      --iters "$ITERS" 2>/dev/null | grep -E '^8 B' | sed "s|^|allreduce $lib |"
  done
done
