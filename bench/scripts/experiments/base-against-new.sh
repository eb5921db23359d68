#!/usr/bin/env bash
# The Fashion-MNIST trainer of two builds alternated, ROUNDS (6) times: np 1 of this checkout, np 2 of BASE (a
# checkout with `make build` done, e.g. `git worktree add --detach /tmp/base14 64bc652`), np 2 of this checkout;
# last of 3 epochs (BENCHMARKS.md, "Fourteenth session", the trainer base against the region barrier).
NEW=$(dirname "$(dirname "$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")")")
BASE=${BASE:?set BASE to another built checkout}
run() { (cd "$1" && bin/mpjrun -np "$2" --no-tag-output -cp build/lib/ringfold-examples-0.1.0-SNAPSHOT.jar \
  dev.ringfold.examples.fashion.FashionMnistTraining --epochs 3 --batch-size 128 --optimizer sgd --schedule constant \
  --timing 2>/dev/null | tr '\r' '\n' |
  awk '/^epoch .* 100% /{ for (i = 1; i <= NF; i++) if ($i == "samples/s") { s = $(i - 1); gsub(",", "", s) } }
       /^timing:/{ step = $3; c = $7; o = $10 } END { printf "%s step %s compute %s over %s\n", s, step, c, o }'); }
for r in $(seq "${ROUNDS:-6}"); do
  echo "r$r new np1 load $(cut -d' ' -f1 /proc/loadavg) $(run "$NEW" 1)"
  echo "r$r base np2 load $(cut -d' ' -f1 /proc/loadavg) $(run "$BASE" 2)"
  echo "r$r new np2 load $(cut -d' ' -f1 /proc/loadavg) $(run "$NEW" 2)"
done
