#!/usr/bin/env bash
# Issue 16's timing targets, as quoted in BENCHMARKS.md ("Elastic timing"): the Fashion-MNIST trainer on 4 ranks
# under mpjrun --elastic 2:4 --max-replacements K, one epoch cut at --max-steps, a rank SIGKILLed by itself in one of
# four cases, each run RUNS (default 5) times, the cases interleaved within a round so that load drifts hit all:
#   allreduce  rank 2 in backward of step KILL_AT, its gradient buckets' all-reduces in flight
#   between    rank 2 before the forward pass of step KILL_AT (between two steps)
#   join       rank 2 in backward of step KILL_AT; then rank 1 as the survivors copy rank 2's replacement the state
#              (the survivors have agreed to take it in: --kill-phase join)
#   two        rank 1 in backward of step KILL_AT, rank 3 in backward of step SECOND_AT
# Per run: the load average (uptime), each kill -> the survivors' next completed step (ms, wall clock: the dying
# rank prints when it sends itself SIGKILL, replica 0 when the first step after a width change completed), and per
# replacement its JVM start -> main -> asks to join -> joined (holding the state, the buckets and the data set:
# ready for its first step), ms, from the replacement's own account. Medians per case at the end; the raw output
# of every run goes to LOG (default /tmp/elastic-timing.log). Needs `make build` and dataset-fashion-mnist.
set -u
ROOT=$(dirname "$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")")
RUNS=${RUNS:-5}
CASES=${CASES:-allreduce between join two}
KILL_AT=${KILL_AT:-20}
SECOND_AT=${SECOND_AT:-60}
MAX_STEPS=${MAX_STEPS:-400}
DATA=${DATA:-/usr/share/datasets/fashion-mnist}
LOG=${LOG:-/tmp/elastic-timing.log}
JAR=$ROOT/build/lib/ringfold-examples-0.1.0-SNAPSHOT.jar
cd "$ROOT" || exit 1
[ -f "$JAR" ] || { echo "no $JAR: run 'make build' first" >&2; exit 1; }
[ -d "$DATA" ] || { echo "no Fashion-MNIST in $DATA (apt-get install dataset-fashion-mnist, or DATA=...)" >&2; exit 1; }
: > "$LOG"

one() {
  local kills replacements
  case "$1" in
    allreduce) kills="--kill-rank 2 --kill-at-step $KILL_AT --kill-phase backward"; replacements=1 ;;
    between) kills="--kill-rank 2 --kill-at-step $KILL_AT --kill-phase forward"; replacements=1 ;;
    join) kills="--kill-rank 2,1 --kill-at-step $KILL_AT,$((KILL_AT + 1)) --kill-phase backward,join"; replacements=2 ;;
    two) kills="--kill-rank 1,3 --kill-at-step $KILL_AT,$SECOND_AT --kill-phase backward"; replacements=2 ;;
    *) echo "unknown case $1 (allreduce, between, join, two)" >&2; return 1 ;;
  esac
  # shellcheck disable=SC2086
  timeout 180 bin/mpjrun -np 4 --elastic 2:4 --max-replacements "$replacements" --no-tag-output -cp "$JAR" \
    dev.ringfold.examples.fashion.FashionMnistTraining --data "$DATA" --elastic 2:4 --epochs 1 \
    --max-steps "$MAX_STEPS" $kills 2>&1 | tr '\r' '\n'
}

# one line per run: case run load kill->step... ; replacement jvm->main main->asks asks->joined jvm->joined ...
parse() {
  awk -v c="$1" -v r="$2" -v load="$3" '
    / kills itself \(SIGKILL/ { kill[++k] = $(NF - 1) + 0 }
    /^elastic: step [0-9]+ done at / { done[++d] = $6 + 0 }
    /joined as replica/ {
      line = $0; sub(/.*ms from it: /, "", line); sub(/\).*/, "", line)
      n = split(line, parts, ", "); delete at
      for (i = 1; i <= n; i++) { v = parts[i]; sub(/.* /, "", v); name = parts[i]; sub(/ [-0-9]+$/, "", name); at[name] = v + 0 }
      ready = at["buckets"] > at["data"] ? at["buckets"] : at["data"]
      repl[++j] = sprintf("%d %d %d %d", at["main"], at["asks"] - at["main"], ready - at["asks"], ready)
    }
    END {
      out = c " " r " " load
      for (i = 1; i <= k; i++) {
        next_done = 0
        for (e = 1; e <= d; e++) if (done[e] > kill[i]) { next_done = done[e]; break }
        out = out " " (next_done ? next_done - kill[i] : "none")
      }
      out = out " ;"
      for (i = 1; i <= j; i++) out = out " " repl[i]
      if (j == 0) out = out " no-replacement-joined(raise MAX_STEPS)"
      print out
    }'
}

RESULTS=$(mktemp)
start=$(date +%s)
echo "# $(date -u '+%F %T') UTC; $(uptime)"
echo "# case run load kill->next-step-ms... ; per replacement: jvm->main main->asks asks->joined jvm->joined (ms)"
for run in $(seq 1 "$RUNS"); do
  for c in $CASES; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    out=$(one "$c")
    { echo "=== $c run $run load $load"; echo "$out"; } >> "$LOG"
    parse "$c" "$run" "$load" <<<"$out" | tee -a "$RESULTS"
  done
done
echo "# $(date -u '+%F %T') UTC; $(uptime); $(( $(date +%s) - start )) s"
echo "# medians per case: kill->next-step (every kill of every run); replacement jvm->main, main->asks, asks->joined, jvm->joined"
for c in $CASES; do
  awk -v c="$c" '
    function median(a, n,   i, j, t) {
      if (n == 0) return "-"
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    $1 == c {
      i = 4
      while ($i != ";") { if ($i != "none") ks[++nk] = $i; else missed++; i++ }
      for (i++; i + 3 <= NF; i += 4) { m[++nr] = $i; a[nr] = $(i + 1); j[nr] = $(i + 2); t[nr] = $(i + 3) }
    }
    END {
      printf "%-9s kill->next step %s ms (%d kills%s); replacement %s / %s / %s ms, jvm->joined %s ms (%d joins)\n", c,
        median(ks, nk), nk, missed ? ", " missed " without a next step" : "", median(m, nr), median(a, nr),
        median(j, nr), median(t, nr), nr
    }' "$RESULTS"
done
rm -f "$RESULTS"
