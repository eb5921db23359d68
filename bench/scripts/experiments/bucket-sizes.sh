#!/usr/bin/env bash
# The Fashion-MNIST trainer at np 1, then np 2 at each bucket size of BBS, ROUNDS (5) times, last of EPOCHS (3)
# epochs: samples/s, step, compute-only step and overhead per run (BENCHMARKS.md, "Fourteenth session", bucket sizes).
ROOT=$(dirname "$(dirname "$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")")")
cd "$ROOT" || exit 1
J=build/lib/ringfold-examples-0.1.0-SNAPSHOT.jar
run() { bin/mpjrun -np "$1" --no-tag-output -cp $J dev.ringfold.examples.fashion.FashionMnistTraining --epochs "${EPOCHS:-3}" \
  --batch-size 128 --optimizer sgd --schedule constant --bucket-bytes "$2" --timing 2>/dev/null | tr '\r' '\n' |
  awk '/^epoch .* 100% /{ for (i = 1; i <= NF; i++) if ($i == "samples/s") { s = $(i - 1); gsub(",", "", s) } }
       /^timing:/{ step = $3; c = $7; o = $10 } END { printf "%s step %s compute %s over %s\n", s, step, c, o }'; }
for r in $(seq "${ROUNDS:-5}"); do
  echo "r$r np1 load $(cut -d' ' -f1 /proc/loadavg) $(run 1 131072)"
  for bb in ${BBS:-131072 524288 1048576 4194304}; do echo "r$r np2 bb=$bb load $(cut -d' ' -f1 /proc/loadavg) $(run 2 "$bb")"; done
done
