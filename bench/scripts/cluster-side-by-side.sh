#!/usr/bin/env bash
# All-reduce over TCP, Ringfold against Open MPI in one sitting, np = 2, F32 SUM, rounds interleaved
# (Open MPI, Ringfold, Open MPI, Ringfold, ...) so that the machine's load falls on both; prints every run and a
# ratio table (per size: the best and the median of the rounds' medians, and Ringfold busbw / Open MPI busbw,
# which for one size is Open MPI's time / Ringfold's time). docs/cluster.md quotes it.
#
#   bench/scripts/cluster-side-by-side.sh            # two Slurm nodes in network namespaces (needs root):
#                                                      # brings the cluster up, srun both, takes it down (also
#                                                      # on failure or Ctrl-C)
#   MODE=local bench/scripts/cluster-side-by-side.sh # one machine: mpirun --mca btl self,tcp vs -dev tcp
#
# Environment: ROUNDS (default 2), SIZES (default 8,1M,16M), ITERS (Open MPI's -n: timed iterations up to 1 MiB,
# ITERS*1MiB/size above, default 300; Ringfold gets the same counts), ANCHORS (the C anchor, default
# ../shared/anchors/ompi), RINGFOLD_SLURM_DIR (default /tmp/ringfold-nsbench/slurm), NICE (default 5),
# BASE_LIB (a jar folder of another Ringfold build, e.g. the commit before a change: it runs too, after Ringfold in
# every round, and gets a column of its own).
# Needs `make build` and Open MPI (mpicc); for the cluster also what hpc-tests/slurm/cluster-up.sh needs.
set -euo pipefail
ROOT=$(dirname "$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")")
MODE=${MODE:-cluster}
ROUNDS=${ROUNDS:-2}
SIZES=${SIZES:-8,1M,16M}
ITERS=${ITERS:-300}
NICE=${NICE:-5}
ANCHORS=${ANCHORS:-$ROOT/../shared/anchors/ompi}
export RINGFOLD_SLURM_DIR=${RINGFOLD_SLURM_DIR:-/tmp/ringfold-nsbench/slurm}
BASE_LIB=${BASE_LIB:-}
SCRATCH=$(mktemp -d /tmp/rf-side-by-side.XXXXXX)
CLUSTER=0

cleanup() {
  if [ "$CLUSTER" = 1 ]; then bash "$ROOT/hpc-tests/slurm/cluster-down.sh" || true; fi
  rm -rf "$SCRATCH"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

L() { echo "## $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg) :: $*"; }
cd "$ROOT"
[ -d build/lib ] || { echo "cluster-side-by-side: no build/lib; run make build first" >&2; exit 2; }
cp "$ANCHORS"/allreduce.c "$ANCHORS"/common.h "$SCRATCH"/
mpicc -O2 -o "$SCRATCH/allreduce" "$SCRATCH/allreduce.c"
# Ringfold's --iters counts up to 64 KiB and scales above; this gives it Open MPI's counts at 1 MiB and above
RF_ITERS=$((ITERS * 16))

case "$MODE" in
  cluster)
    [ "$(id -u)" = 0 ] || { echo "cluster-side-by-side: the namespace cluster needs root" >&2; exit 2; }
    CLUSTER=1
    RINGFOLD_SLURM_NODES=2 bash hpc-tests/slurm/cluster-up.sh
    H=$RINGFOLD_SLURM_DIR/bin/on-head
    JAVA=$(bin/find-jdk)/bin/java
    ompi() { timeout 300 nice -n "$NICE" "$H" srun -N2 -n2 --mpi=pmix "$SCRATCH/allreduce" -n "$ITERS" -m 10 -s "$SIZES"; }
    ringfold() { # jar folder
      # shellcheck disable=SC2046
      timeout 300 nice -n "$NICE" "$H" env RINGFOLD_SECRET="$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')" \
        srun -N2 -n2 "$JAVA" $(cat bin/jvm-flags) -Djdk.net.hosts.file="$RINGFOLD_SLURM_DIR/hosts" \
        -cp "$1/*" dev.ringfold.bench.OsuBench allreduce --sizes "$SIZES" --iters "$RF_ITERS"
    }
    ;;
  local)
    ROOTARG=""; [ "$(id -u)" = 0 ] && ROOTARG="--allow-run-as-root"
    ompi() { timeout 300 nice -n "$NICE" mpirun $ROOTARG -np 2 --bind-to none --mca btl self,tcp \
      "$SCRATCH/allreduce" -n "$ITERS" -m 10 -s "$SIZES"; }
    ringfold() { RINGFOLD_LIB=$1 nice -n "$NICE" bin/ringfold-bench allreduce -np 2 -dev tcp --sizes "$SIZES" --iters "$RF_ITERS"; }
    ;;
  *) echo "cluster-side-by-side: MODE=$MODE is not cluster or local" >&2; exit 2 ;;
esac

# one "size median_us" line per size, from either tool's table
ompi_medians() { awk -F'|' '$2 ~ /[0-9] (B|KiB|MiB)/ { gsub(/^ +| +$/, "", $2); gsub(/ /, "", $4); print $2, $4 }'; }
ringfold_medians() { awk '$2 ~ /^(B|KiB|MiB)$/ && $5 ~ /^[0-9.]+$/ { print $1 " " $2, $5 }'; }

L "start ($MODE, $ROUNDS rounds, sizes $SIZES, $ITERS iterations at 1 MiB)"
for round in $(seq 1 "$ROUNDS"); do
  L "open mpi, round $round"; ompi 2>"$SCRATCH/err" | tee "$SCRATCH/ompi.$round" | grep -E '^\|' || { cat "$SCRATCH/err" >&2; exit 1; }
  L "ringfold, round $round"; ringfold "$ROOT/build/lib" 2>"$SCRATCH/err" | tee "$SCRATCH/rf.$round" || { cat "$SCRATCH/err" >&2; exit 1; }
  ompi_medians < "$SCRATCH/ompi.$round" | sed 's/^/ompi /' >> "$SCRATCH/medians"
  ringfold_medians < "$SCRATCH/rf.$round" | sed 's/^/ringfold /' >> "$SCRATCH/medians"
  if [ -n "$BASE_LIB" ]; then
    L "ringfold from $BASE_LIB, round $round"
    ringfold "$BASE_LIB" 2>"$SCRATCH/err" | tee "$SCRATCH/base.$round" || { cat "$SCRATCH/err" >&2; exit 1; }
    ringfold_medians < "$SCRATCH/base.$round" | sed 's/^/base /' >> "$SCRATCH/medians"
  fi
done
L end

stats() { # who label: best and median of the rounds' medians
  grep "^$1 $2 " "$SCRATCH/medians" | awk '{print $NF}' | sort -g |
    awk '{v[NR]=$1} END { if (NR == 0) { print "- -"; exit } m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; print v[1], m }'
}
ratio() { awk -v o="$1" -v r="$2" 'BEGIN { if (o == "-" || r == "-" || r == 0) print "-"; else printf "%.2f", o / r }'; }
echo
head="| size ($MODE, np 2) | Open MPI median µs (best / median of $ROUNDS) | Ringfold median µs (best / median) | Ringfold / Open MPI busbw |"
rule="|---|---|---|---|"
[ -n "$BASE_LIB" ] && { head="$head base median µs (best / median) | base / Open MPI busbw |"; rule="$rule---|---|"; }
echo "$head"; echo "$rule"
IFS=, read -ra WANT <<< "$SIZES"
for s in "${WANT[@]}"; do
  label=$(echo "$s" | sed -E 's/^([0-9]+)$/\1 B/; s/^([0-9]+)K$/\1 KiB/; s/^([0-9]+)M$/\1 MiB/')
  read -r ob om <<< "$(stats ompi "$label")"
  read -r rb rm <<< "$(stats ringfold "$label")"
  line="| $label | $ob / $om | $rb / $rm | $(ratio "$om" "$rm") |"
  if [ -n "$BASE_LIB" ]; then
    read -r bb bm <<< "$(stats base "$label")"
    line="$line $bb / $bm | $(ratio "$om" "$bm") |"
  fi
  echo "$line"
done
