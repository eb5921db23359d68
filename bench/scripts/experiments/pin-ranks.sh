#!/usr/bin/env bash
# One np 2 run of the Fashion-MNIST trainer (3 epochs, --timing); with PIN=1 each rank JVM, all its threads, is
# pinned to CPU (rank mod 2) with taskset once both have started. Prints the last timing line (BENCHMARKS.md,
# "Fourteenth session", pinning). Alternate `pin-ranks.sh` and `PIN=1 pin-ranks.sh`.
ROOT=$(dirname "$(dirname "$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")")")
cd "$ROOT" || exit 1
OUT=$(mktemp); trap 'rm -f "$OUT"' EXIT
bin/mpjrun -np 2 --no-tag-output -cp build/lib/ringfold-examples-0.1.0-SNAPSHOT.jar \
  dev.ringfold.examples.fashion.FashionMnistTraining --epochs 3 --batch-size 128 --optimizer sgd --schedule constant \
  --timing > "$OUT" 2>&1 &
L=$!
if [ "${PIN:-0}" = 1 ]; then
  for _ in $(seq 50); do
    pids=$(pgrep -f FashionMnistTraining | while read -r p; do
      [ "$(cat /proc/"$p"/comm 2>/dev/null)" = java ] && grep -q RINGFOLD_RANK /proc/"$p"/environ 2>/dev/null && echo "$p"; done)
    [ "$(echo $pids | wc -w)" -ge 2 ] && break; sleep 0.05
  done
  for p in $pids; do
    r=$(tr '\0' '\n' < /proc/"$p"/environ | sed -n 's/^RINGFOLD_RANK=//p')
    taskset -a -p -c $((r % 2)) "$p" > /dev/null
  done
fi
wait $L
tr '\r' '\n' < "$OUT" | grep -E '^timing' | tail -1
