#!/usr/bin/env bash
# Start-up cost side by side: a hello world (init, rank, size, barrier, finalize) of NP ranks under Ringfold's
# mpjrun (shm and tcp), MPJ Express 0.44's multicore device (Debian's libmpj-java) and Open MPI's mpirun with C.
# Needs `make` first; installs hyperfine, libmpj-java, openmpi-bin and libopenmpi-dev when missing (root).
#   NP=4 RUNS=10 hpc-tests/timing/hello-world.sh      -> a markdown table on stdout (hyperfine's export)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NP=${NP:-4}
RUNS=${RUNS:-10}
WORK=$(mktemp -d /tmp/ringfold-hello.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
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
# every command must print NP hellos; a run that fails fails hyperfine (no --ignore-failure)
hyperfine -N --warmup 1 --runs "$RUNS" --export-markdown "$WORK/table.md" \
  -n "Ringfold mpjrun -np $NP (shm)" "$ROOT/bin/mpjrun -np $NP -cp $EX dev.ringfold.examples.Hello" \
  -n "Ringfold mpjrun -np $NP -dev tcp" "$ROOT/bin/mpjrun -np $NP -dev tcp -cp $EX dev.ringfold.examples.Hello" \
  -n "MPJ Express 0.44 -np $NP -dev multicore" \
     "env MPJ_HOME=$MPJ java -jar $MPJ/lib/starter.jar -np $NP -dev multicore -cp $WORK HelloWorld" \
  -n "Open MPI 4.1 mpirun -np $NP (C)" "mpirun --oversubscribe -np $NP $WORK/hello_c" >&2
cat "$WORK/table.md"
