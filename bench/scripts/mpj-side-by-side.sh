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
awk '
  /^RESULT/ { key = $2 " " $3; v[FILENAME ~ /mpj\./ ? "mpj" : "ours", key] = v[FILENAME ~ /mpj\./ ? "mpj" : "ours", key] " " $4; keys[key] = 1; order[++n] = key }
  function median(s,   a, k, i, j, t) { k = split(s, a, " "); for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
  function range(s,   a, k, i, lo, hi) { k = split(s, a, " "); lo = a[1]; hi = a[1]
    for (i = 2; i <= k; i++) { if (a[i] + 0 < lo + 0) lo = a[i]; if (a[i] + 0 > hi + 0) hi = a[i] }
    return sprintf("%.1f-%.1f", lo, hi) }
  END { print "| operation | size (B) | MPJ Express µs | (range) | Ringfold µs | (range) | speed-up |"
    print "|---|---:|---:|---:|---:|---:|---:|"
    for (i = 1; i <= n; i++) { k = order[i]; if (seen[k]++) continue; split(k, p, " ")
      m = median(v["mpj", k]); o = median(v["ours", k])
      printf "| %s | %s | %.1f | %s | %.1f | %s | %.2fx |\n", p[1], p[2], m, range(v["mpj", k]), o, range(v["ours", k]), m / o } }
' "$WORK"/mpj.* "$WORK"/ours.*
