#!/usr/bin/env bash
# One sitting of the same mpiJava Jacobi stencil (mpj/src/test/java/dev/ringfold/mpj/bench/JacobiStencil.java,
# compiled once against MPJ Express's mpj.jar) on MPJ Express 0.44 (multicore device) and on Ringfold (bin/mpjrun
# -dev multicore = shm), alternating, REPEAT times each, for each iteration count; prints per (value, iterations) the
# median over runs, the range, and MPJ Express's median / Ringfold's. The checksums of the two must agree.
# Needs `make build` and libmpj-java. Knobs: NP (2), ITERS (2000,20000), N (256), REPEAT (5), JVM_OPTS, OURS_OPTS
# (extra options for bin/mpjrun only), CACHED (1: each round also runs Ringfold with the program's own AOT cache,
# `bin/mpjrun --aot-cache`, recorded by one untimed run before the sitting from a jar of the same classes; a second
# table compares those runs with MPJ Express's).
set -u
ROOT=$(dirname "$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")")
NP=${NP:-2}
ITERS=${ITERS:-2000,20000}
N=${N:-256}
REPEAT=${REPEAT:-5}
JVM_OPTS=${JVM_OPTS:-}
OURS_OPTS=${OURS_OPTS:-}
. "$ROOT/bench/scripts/mpj-home.sh"
mpj_program "$ROOT/mpj/src/test/java/dev/ringfold/mpj/bench/JacobiStencil.java"
MAIN=dev.ringfold.mpj.bench.JacobiStencil
CACHED=${CACHED:-0}
if [ "$CACHED" = 1 ]; then
  jar cf "$WORK/program.jar" -C "$WORK/classes" .
  first=${ITERS%%,*}
  start=$(date +%s%N)
  "$ROOT/bin/mpjrun" -np "$NP" -dev multicore --no-tag-output --aot-cache "$WORK/program.aot" $OURS_OPTS \
    -cp "$WORK/program.jar" $JVM_OPTS "$MAIN" "$first" "$N" > "$WORK/recording" 2>&1 ||
    { echo "the recording run failed" >&2; tail -20 "$WORK/recording" >&2; exit 1; }
  grep -q 'recorded the AOT cache' "$WORK/recording" || { echo "no AOT cache recorded" >&2; tail -20 "$WORK/recording" >&2; exit 1; }
  echo "## the recording run ($first iterations) took $(( ($(date +%s%N) - start) / 1000000 )) ms"
fi
echo "## $(date -u '+%F %T') UTC, np $NP, N $N, load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$REPEAT"); do
  for it in ${ITERS//,/ }; do
    MPJ_HOME="$WORK/home" java -jar "$WORK/home/lib/starter.jar" -np "$NP" -dev multicore -cp "$WORK/classes" $JVM_OPTS \
      "$MAIN" "$it" "$N" > "$WORK/mpj.$r.$it" 2>&1
    "$ROOT/bin/mpjrun" -np "$NP" -dev multicore --no-tag-output $OURS_OPTS -cp "$WORK/classes" $JVM_OPTS "$MAIN" "$it" "$N" \
      > "$WORK/ours.$r.$it" 2>&1
    files="$WORK/mpj.$r.$it $WORK/ours.$r.$it"
    if [ "$CACHED" = 1 ]; then
      "$ROOT/bin/mpjrun" -np "$NP" -dev multicore --no-tag-output --aot-cache "$WORK/program.aot" $OURS_OPTS \
        -cp "$WORK/program.jar" $JVM_OPTS "$MAIN" "$it" "$N" > "$WORK/cached.$r.$it" 2>&1
      grep -q 'recorded the AOT cache' "$WORK/cached.$r.$it" && { echo "the cache was recorded again" >&2; exit 1; }
      files="$files $WORK/cached.$r.$it"
    fi
    for f in $files; do
      grep -q '^BENCH DONE errors=0' "$f" || { echo "run failed: $f" >&2; tail -20 "$f" >&2; exit 1; }
    done
    a=$(grep '^CHECKSUM' "$WORK/mpj.$r.$it" | cut -d' ' -f1-4); b=$(grep '^CHECKSUM' "$WORK/ours.$r.$it" | cut -d' ' -f1-4)
    [ "$a" = "$b" ] || { echo "checksums differ: MPJ Express '$a', Ringfold '$b'" >&2; exit 1; }
    if [ "$CACHED" = 1 ]; then
      c=$(grep '^CHECKSUM' "$WORK/cached.$r.$it" | cut -d' ' -f1-4)
      [ "$a" = "$c" ] || { echo "checksums differ: MPJ Express '$a', Ringfold with its cache '$c'" >&2; exit 1; }
    fi
  done
done
echo "## load $(cut -d' ' -f1-3 /proc/loadavg) at the end"
mpj_table "value | iterations" 2
if [ "$CACHED" = 1 ]; then
  echo; echo "## Ringfold with the program's own AOT cache (--aot-cache)"; mpj_table "value | iterations" 2 cached
fi
