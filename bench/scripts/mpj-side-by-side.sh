#!/usr/bin/env bash
# One sitting of the same mpiJava program (mpj/src/test/java/dev/ringfold/mpj/bench/MpiJavaBench.java, compiled
# once against MPJ Express's mpj.jar) on MPJ Express 0.44 (multicore device) and on Ringfold (bin/mpjrun -dev
# multicore = shm), alternating, REPEAT times each; prints per (op, size) the median over runs of each run's µs,
# the range over runs, and Ringfold's speed-up (MPJ Express's median / Ringfold's).
# Needs `make build` and libmpj-java. Knobs: NP (2), SIZES (8,1M,16M,64M in bytes), REPEAT (3), JVM_OPTS (-Xmx6g).
set -u
ROOT=$(dirname "$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")")
NP=${NP:-2}
SIZES=${SIZES:-8,1048576,16777216,67108864}
REPEAT=${REPEAT:-3}
JVM_OPTS=${JVM_OPTS:--Xmx6g}
. "$ROOT/bench/scripts/mpj-home.sh"
mpj_program "$ROOT/mpj/src/test/java/dev/ringfold/mpj/bench/MpiJavaBench.java"
MAIN=dev.ringfold.mpj.bench.MpiJavaBench
echo "## $(date -u '+%F %T') UTC, np $NP, load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$REPEAT"); do
  MPJ_HOME="$WORK/home" java -jar "$WORK/home/lib/starter.jar" -np "$NP" -dev multicore -cp "$WORK/classes" $JVM_OPTS \
    "$MAIN" "$SIZES" > "$WORK/mpj.$r" 2>&1
  "$ROOT/bin/mpjrun" -np "$NP" -dev multicore --no-tag-output -cp "$WORK/classes" $JVM_OPTS "$MAIN" "$SIZES" > "$WORK/ours.$r" 2>&1
  for f in "$WORK/mpj.$r" "$WORK/ours.$r"; do
    grep -q '^BENCH DONE errors=0' "$f" || { echo "run failed or a value was wrong: $f" >&2; tail -20 "$f" >&2; exit 1; }
  done
done
echo "## load $(cut -d' ' -f1-3 /proc/loadavg) at the end"
mpj_table "operation | size (B) | µs" 1
