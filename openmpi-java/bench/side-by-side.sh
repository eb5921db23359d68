#!/usr/bin/env bash
# OSU-style latency, bandwidth and all-reduce of the same class files (OsuJavaBench, compiled against Open MPI
# 4.1.4's own Java bindings) on Open MPI's bindings (mpirun) and on Ringfold (bin/mpjrun), interleaved run by run
# in one sitting, with direct buffers and with arrays. Needs 'make' and the reference jar:
#   JAVAC=$JAVA_HOME/bin/javac ../shared/anchors/ompi-java/build-reference.sh /tmp/ompi-java-ref
# Environment: NP (2), REPEAT (3), DEV (Ringfold's -dev, auto), OMPI_JAVA_REF (/tmp/ompi-java-ref); RINGFOLD_*
# settings reach Ringfold's ranks (RINGFOLD_IDLE=spin: poll like Open MPI whatever the load); ONLY="latency
# allreduce" runs those benchmarks alone (of latency, bw, allreduce); CACHED=1 runs Ringfold's ranks with the
# program's own AOT cache (bin/mpjrun --aot-cache), recorded by one untimed run of the first case before the sitting.
# Prints one line per run: which, benchmark, mode, bytes, value, unit; then the medians side by side. Before each
# Ringfold run a comment gives the 1-minute load average: Ringfold's ranks start in their backing-off waits (short
# spins, then yields and parks) when it exceeds the CPUs plus the job's ranks, and a ping-pong then pays wake-ups.
set -euo pipefail
ROOT=$(dirname "$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")")
JAVA_HOME=$("$ROOT/bin/find-jdk")
REF=${OMPI_JAVA_REF:-/tmp/ompi-java-ref}
NP=${NP:-2}
REPEAT=${REPEAT:-3}
DEV=${DEV:-auto}
[ -r "$REF/mpi.jar" ] || { echo "no $REF/mpi.jar: build it with ../shared/anchors/ompi-java/build-reference.sh $REF" >&2; exit 1; }
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
"$JAVA_HOME/bin/javac" -nowarn -cp "$REF/mpi.jar" -d "$WORK" \
  "$ROOT/openmpi-java/src/test/java/dev/ringfold/openmpi/bench/OsuJavaBench.java"
MAIN=dev.ringfold.openmpi.bench.OsuJavaBench
declare -a CASES=("latency 8" "bw 1048576 16777216" "allreduce 8 1048576 16777216")
run_ompi() { mpirun --allow-run-as-root --oversubscribe --bind-to none -np "$NP" "$JAVA_HOME/bin/java" \
  --enable-native-access=ALL-UNNAMED -Xmx4g -cp "$REF/mpi.jar:$WORK" $MAIN "$@" 2>/dev/null; }
OURS_CP=("-cp" "$WORK")
if [ "${CACHED:-0}" = 1 ]; then
  (cd "$WORK" && "$JAVA_HOME/bin/jar" cf "$WORK/program.jar" dev)
  OURS_CP=("--aot-cache" "$WORK/program.aot" "-cp" "$WORK/program.jar")
fi
run_ours() { "$ROOT/bin/mpjrun" -np "$NP" -dev "$DEV" --no-tag-output -Xmx4g "${OURS_CP[@]}" $MAIN "$@" 2>/dev/null; }
if [ "${CACHED:-0}" = 1 ]; then
  set -- ${CASES[0]}
  run_ours "$1" direct "${@:2}" > /dev/null
  [ -s "$WORK/program.aot" ] || { echo "no AOT cache was recorded" >&2; exit 1; }
  echo "# Ringfold's runs start with the program's own AOT cache, recorded by one run of '${CASES[0]}' direct"
fi
echo "# $(date -u) $(uptime)"
RESULTS="$WORK/results"
for r in $(seq "$REPEAT"); do
  for c in "${CASES[@]}"; do
    set -- $c
    what=$1; shift
    [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $what "* ]] || continue
    for mode in direct array; do
      run_ompi "$what" "$mode" "$@" | sed 's/^/open-mpi /' | tee -a "$RESULTS"
      echo "# load average $(cut -d' ' -f1 /proc/loadavg) before Ringfold's run ($(nproc) CPUs, $NP ranks)"
      run_ours "$what" "$mode" "$@" | sed 's/^/ringfold /' | tee -a "$RESULTS"
    done
  done
done
echo "# medians over $REPEAT runs (np=$NP, Ringfold -dev $DEV): benchmark mode bytes open-mpi ringfold ratio"
python3 - "$RESULTS" <<'PY'
import sys, statistics, collections
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    who, what, mode, size, value, unit = line.split()
    runs[(what, mode, int(size), unit, who)].append(float(value))
keys = sorted({k[:4] for k in runs})
for what, mode, size, unit in keys:
    o = statistics.median(runs[(what, mode, size, unit, "open-mpi")])
    r = statistics.median(runs[(what, mode, size, unit, "ringfold")])
    # speed-up: latency and time divide Open MPI's by Ringfold's, bandwidth the other way
    ratio = r / o if unit == "MB/s" else o / r
    print(f"{what} {mode} {size} {o:.3f} {r:.3f} {unit} speed-up {ratio:.2f}x")
PY
