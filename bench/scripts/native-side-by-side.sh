#!/usr/bin/env bash
# One interleaved sitting of Ringfold over Open MPI (-dev native) vs Ringfold over its own shared memory (-dev shm)
# vs Open MPI's C numbers (../shared/anchors/ompi, or $ANCHORS), as quoted in BENCHMARKS.md: ping-pong latency,
# streaming bandwidth (np = 2), all-reduce (np = 2 and 4; on native both ours over MPI's point-to-point, --algo auto,
# and MPI's own MPI_Iallreduce, --algo mpi). PASSES=N repeats the whole sitting (default 1); the
# load average is printed before each step. Compare ratios within a pass, not absolute numbers across sittings.
# Needs `make build`, Open MPI (openmpi-bin, libopenmpi-dev for mpicc).
set -u
ROOT=$(dirname "$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")")
ANCHORS=${ANCHORS:-$ROOT/../shared/anchors/ompi}
PASSES=${PASSES:-1}
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
cp -r "$ANCHORS"/. "$SCRATCH"/ && chmod -R u+w "$SCRATCH"
cd "$ROOT" || exit 1
L() { echo "## load $(cut -d' ' -f1-3 /proc/loadavg) :: $*"; }
for pass in $(seq 1 "$PASSES"); do
  L "pass $pass"
  for dev in native shm; do
    L "ringfold latency $dev"; bin/ringfold-bench latency -np 2 -dev "$dev" --sizes 8,1K,64K,1M 2>/dev/null | tail -4
    L "ringfold bw $dev"; bin/ringfold-bench bw -np 2 -dev "$dev" --sizes 1M,16M 2>/dev/null | tail -2
  done
  L "open mpi (C): pingpong np=2, allreduce np=2,4"
  (cd "$SCRATCH" && NPS="2 4" EXTRA=0 ITERS=1000 MIN_ITERS=20 SIZES=8,1K,64K,1M,16M STREAM_SIZES=1M,16M \
    ./run.sh 2>/dev/null | grep -E "^\||^cmd" | grep -v -- "---")
  for np in 2 4; do
    for run in "native auto" "native mpi" "shm auto"; do
      set -- $run
      L "ringfold allreduce np=$np -dev $1 --algo $2"
      bin/ringfold-bench allreduce -np "$np" -dev "$1" --algo "$2" --sizes 8,1K,64K,1M,16M 2>/dev/null | tail -5
    done
  done
done
L end
