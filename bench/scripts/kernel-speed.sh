#!/usr/bin/env bash
# The reduction kernels' speed (dst = a + b, SUM) with the Vector API module and without it (the plain Java loops a
# rank of an mpi-API program runs; docs/launching.md), one JVM per line, alternating. Needs `make build`.
# Knobs: TYPES (F64 F32 I32), SIZES (65536 1048576 16777216).
set -euo pipefail
ROOT=$(dirname "$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")")
JAVA_HOME=$("$ROOT/bin/find-jdk")
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
CP="$ROOT/build/lib/*"
"$JAVA_HOME/bin/javac" -nowarn -cp "$CP" -d "$WORK" "$ROOT/bench/scripts/kernel-speed/ReduceKernelSpeed.java"
# bin/jvm-flags without the Vector API module
FLAGS=($(tr ' ' '\n' < "$ROOT/bin/jvm-flags" | grep -v incubator.vector))
echo "# $(date -u) load $(cut -d' ' -f1-3 /proc/loadavg)"
for t in ${TYPES:-F64 F32 I32}; do
  for s in ${SIZES:-65536 1048576 16777216}; do
    "$JAVA_HOME/bin/java" "${FLAGS[@]}" -cp "$CP:$WORK" ReduceKernelSpeed "$s" "$t" 2>/dev/null
    "$JAVA_HOME/bin/java" "${FLAGS[@]}" --add-modules=jdk.incubator.vector -cp "$CP:$WORK" ReduceKernelSpeed "$s" "$t" 2>/dev/null
  done
done
