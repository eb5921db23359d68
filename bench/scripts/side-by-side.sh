#!/usr/bin/env bash
# One interleaved sitting of Ringfold vs Open MPI 4.1.4 (np = 2), as quoted in BENCHMARKS.md: point-to-point over
# shared memory and TCP, all-reduce and broadcast. Prints the load average before each step; run on a quiet
# machine and compare ratios, not absolute numbers. Needs `make build` and Open MPI (apt-get install openmpi-bin
# libopenmpi-dev); the C anchors are copied from ../shared/anchors/ompi (or $ANCHORS) into a scratch folder.
set -u
ROOT=$(dirname "$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")")
ANCHORS=${ANCHORS:-$ROOT/../shared/anchors/ompi}
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
cp -r "$ANCHORS"/. "$SCRATCH"/ && chmod -R u+w "$SCRATCH"
cd "$ROOT" || exit 1
L() { echo "## load $(cut -d' ' -f1-3 /proc/loadavg) :: $*"; }
L start
for dev in shm tcp; do
  L "ringfold latency $dev"; bin/ringfold-bench latency -np 2 -dev "$dev" --sizes 8,1K,1M 2>/dev/null | tail -3
  L "ringfold bw $dev"; bin/ringfold-bench bw -np 2 -dev "$dev" --sizes 1M,16M 2>/dev/null | tail -2
done
L "ringfold allreduce shm"; bin/ringfold-bench allreduce -np 2 --sizes 8,1M,16M,64M 2>/dev/null | tail -4
L "ringfold bcast shm"; bin/ringfold-bench bcast -np 2 --sizes 64M 2>/dev/null | tail -1
L "open mpi shm"; (cd "$SCRATCH" && NPS="2" EXTRA=0 ITERS=1000 MIN_ITERS=20 SIZES=8,1K,1M,16M,64M STREAM_SIZES=1M,16M \
  ./run.sh 2>/dev/null | grep -E "^\|" | grep -v -- "---")
L "open mpi tcp"; (cd "$SCRATCH" && NPS="2" EXTRA=0 ITERS=1000 MIN_ITERS=20 SIZES=8,1K,1M,16M STREAM_SIZES=1M,16M \
  MCA_EXTRA="--mca btl self,tcp" ./run.sh 2>/dev/null | grep -E "^\|" | grep -v -- "---")
L "ringfold allreduce tcp"; bin/ringfold-bench allreduce -np 2 -dev tcp --sizes 8,1M,16M 2>/dev/null | tail -3
L end
