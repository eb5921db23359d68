#!/usr/bin/env bash
# Start-up cost side by side: a hello world (init, rank, size, barrier, finalize) of NP ranks under Ringfold's
# mpjrun (shm and tcp), MPJ Express 0.44's multicore device (Debian's libmpj-java) and Open MPI's mpirun with C.
# Interleaved: each of RUNS rounds (after one warm-up round) runs every command once, in an order that rotates;
# the table gives each command's median, min and max wall time and the ratio of medians to Open MPI's C hello,
# with the load average before and after. BASELINE=DIR adds the shm and tcp rows of another Ringfold checkout built
# with `make build` (main, say), for before/after comparisons in the same sitting.
# Needs `make` first; installs libmpj-java, openmpi-bin and libopenmpi-dev when missing (root).
#   NP=4 RUNS=10 bench/scripts/hello-world.sh      -> a markdown table on stdout
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NP=${NP:-4}
RUNS=${RUNS:-10}
WORK=$(mktemp -d /tmp/ringfold-hello.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

need=()
[ -f /usr/share/mpj/lib/starter.jar ] || need+=(libmpj-java)
command -v mpirun >/dev/null || need+=(openmpi-bin)
command -v mpicc >/dev/null || need+=(libopenmpi-dev)
if [ ${#need[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
JAVA_HOME=$("$ROOT/bin/find-jdk")
export PATH=$JAVA_HOME/bin:$PATH   # MPJ Express starts its rank JVM as plain `java` from PATH

# MPJ Express as Debian packages it cannot start: its jars name their dependencies (log4j, commons-*) in their
# manifests relative to /usr/share/mpj/lib, where Debian does not install them. A private MPJ_HOME of copies fixes it.
MPJ=$WORK/mpj
mkdir -p "$MPJ/lib" "$MPJ/conf"
for jar in /usr/share/mpj/lib/*-0.44.jar; do cp -L "$jar" "$MPJ/lib/$(basename "${jar%-0.44.jar}").jar"; done
for dep in log4j-1.2 commons-cli commons-codec commons-io; do cp -L "/usr/share/java/$dep.jar" "$MPJ/lib/"; done
cp "$MPJ/lib/log4j-1.2.jar" "$MPJ/lib/log4j-1.2.11.jar"
cp /usr/share/mpj/conf/mpjexpress.conf "$MPJ/conf/"
cat > "$WORK/HelloWorld.java" <<'JAVA'
import mpi.MPI;
public class HelloWorld {
    public static void main(String[] args) throws Exception {
        MPI.Init(args);
        System.out.println("hello from rank " + MPI.COMM_WORLD.Rank() + " of " + MPI.COMM_WORLD.Size());
        MPI.COMM_WORLD.Barrier();
        MPI.Finalize();
    }
}
JAVA
javac -d "$WORK" -cp "$MPJ/lib/mpj.jar" "$WORK/HelloWorld.java"
cat > "$WORK/hello.c" <<'C'
#include <mpi.h>
#include <stdio.h>
int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    printf("hello from rank %d of %d\n", rank, size);
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Finalize();
    return 0;
}
C
mpicc -O2 -o "$WORK/hello_c" "$WORK/hello.c"

EX=$(ls "$ROOT"/build/lib/ringfold-examples-*.jar | head -n1)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader,tcp
NAMES=("Ringfold mpjrun -np $NP (shm)" "Ringfold mpjrun -np $NP -dev tcp")
CMDS=("$ROOT/bin/mpjrun -np $NP -cp $EX dev.ringfold.examples.Hello"
      "$ROOT/bin/mpjrun -np $NP -dev tcp -cp $EX dev.ringfold.examples.Hello")
if [ -n "${BASELINE:-}" ]; then
  BEX=$(ls "$BASELINE"/build/lib/ringfold-examples-*.jar | head -n1)
  NAMES+=("baseline $(git -C "$BASELINE" rev-parse --short HEAD) (shm)" "baseline $(git -C "$BASELINE" rev-parse --short HEAD) -dev tcp")
  CMDS+=("$BASELINE/bin/mpjrun -np $NP -cp $BEX dev.ringfold.examples.Hello"
         "$BASELINE/bin/mpjrun -np $NP -dev tcp -cp $BEX dev.ringfold.examples.Hello")
fi
NAMES+=("MPJ Express 0.44 -np $NP -dev multicore" "Open MPI 4.1 mpirun -np $NP (C)")
CMDS+=("env MPJ_HOME=$MPJ java -jar $MPJ/lib/starter.jar -np $NP -dev multicore -cp $WORK HelloWorld"
       "mpirun --oversubscribe -np $NP $WORK/hello_c")
N=${#CMDS[@]}
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq 0 "$RUNS"); do          # round 0 is the warm-up
  for k in $(seq 0 $((N - 1))); do
    i=$(( (k + round) % N ))
    t0=$(date +%s%N)
    # every command must print NP hellos; one that fails stops the script
    # shellcheck disable=SC2086  # the commands are word lists
    out=$(${CMDS[$i]} 2>&1) || { echo "failed: ${CMDS[$i]}" >&2; echo "$out" >&2; exit 1; }
    t1=$(date +%s%N)
    [ "$(grep -c 'hello from rank' <<< "$out")" -eq "$NP" ] || { echo "not $NP hellos: ${CMDS[$i]}" >&2; echo "$out" >&2; exit 1; }
    [ "$round" -gt 0 ] && echo "$i $(( (t1 - t0) / 1000 ))" >> "$WORK/times"
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
OMPI=$((N - 1))
median() { awk -v i="$1" '$1 == i {print $2}' "$WORK/times" | sort -n | awk '{a[NR]=$1} END {m = NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f %.1f %.1f", m/1000, a[1]/1000, a[NR]/1000}'; }
read -r OMPI_MEDIAN _ _ <<< "$(median "$OMPI")"
echo "NP=$NP, $RUNS interleaved rounds after one warm-up; load average $LOAD_BEFORE before, $LOAD_AFTER after"
echo
echo "| Command | median [ms] | min [ms] | max [ms] | median / Open MPI's C hello |"
echo "|:---|---:|---:|---:|---:|"
for i in $(seq 0 $((N - 1))); do
  read -r med lo hi <<< "$(median "$i")"
  echo "| ${NAMES[$i]} | $med | $lo | $hi | $(awk -v a="$med" -v b="$OMPI_MEDIAN" 'BEGIN {printf "%.2f", a / b}') |"
done
