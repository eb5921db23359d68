#!/usr/bin/env bash
# Barrier latency, osu_barrier's method (Barrier.java through Open MPI's Java API, barrier.c in C), interleaved
# round by round: Open MPI's C, Open MPI 4.1.4's Java bindings, Ringfold (this checkout's build/lib), and Ringfold
# at BASE (a folder with another build of it, optional). Medians of ROUNDS (5) per np in NPS ("2 4"); ITERS timed
# barriers a run (100000). Needs `make build`, mpicc and the reference jar:
#   JAVAC=$JAVA_HOME/bin/javac ../shared/anchors/ompi-java/build-reference.sh /tmp/ompi-java-ref
set -euo pipefail
HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
ROOT=$(dirname "$(dirname "$(dirname "$HERE")")")
JAVA_HOME=$("$ROOT/bin/find-jdk")
REF=${OMPI_JAVA_REF:-/tmp/ompi-java-ref}
ROUNDS=${ROUNDS:-5}
NPS=${NPS:-2 4}
ITERS=${ITERS:-100000}
BASE=${BASE:-}
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
mpicc -O2 -o "$WORK/barrier" "$HERE/barrier.c"
"$JAVA_HOME/bin/javac" -nowarn -cp "$REF/mpi.jar" -d "$WORK" "$HERE/Barrier.java"
M() { mpirun --allow-run-as-root --oversubscribe --bind-to none -np "$1" "${@:2}" 2>/dev/null; }
echo "# $(date -u) $(uptime)"
for r in $(seq "$ROUNDS"); do
  for np in $NPS; do
    echo "open-mpi-c $np $(M "$np" "$WORK/barrier" "$ITERS" | awk '{print $4}')"
    echo "open-mpi-java $np $(M "$np" "$JAVA_HOME/bin/java" -cp "$REF/mpi.jar:$WORK" Barrier "$ITERS" | awk '{print $4}')"
    echo "# load $(cut -d' ' -f1 /proc/loadavg)"
    echo "ringfold $np $("$ROOT/bin/mpjrun" -np "$np" --no-tag-output -cp "$WORK" Barrier "$ITERS" 2>/dev/null | awk '{print $4}')"
    [ -z "$BASE" ] || echo "base $np $("$BASE/bin/mpjrun" -np "$np" --no-tag-output -cp "$WORK" Barrier "$ITERS" 2>/dev/null | awk '{print $4}')"
  done
done | tee "$WORK/out"
rm -f /dev/shm/vader_segment.* 2>/dev/null || true
echo "# medians, us per barrier: who np median (min-max)"
grep -v '^#' "$WORK/out" | sort -k1,1 -k2,2n | awk '
  { k = $1 " " $2; v[k] = v[k] " " $3 }
  END { for (k in v) { n = split(v[k], a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
        printf "%s %.3f (%.3f-%.3f)\n", k, n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2, a[1], a[n] } }' | sort
