#!/usr/bin/env bash
# One interleaved sitting of the node-shared all-reduce against the shared-memory ceiling of this machine, np = 2,
# F32 SUM, as quoted in BENCHMARKS.md. The ceiling is ../shared/anchors/limit/shm_allreduce_limit.c (two threads,
# inputs already in shared memory, each reduces its half from both inputs and writes both outputs; built here with
# gcc -O3 -march=native -pthread); ours is `bin/ringfold-bench allreduce --shared` (node-shared tensors, reduced in
# place) and, for reference, the same over private buffers (staged through the node region). Each round runs the
# ceiling, ours shared and ours private at every size, alternating, so load drifts hit all three; the table gives
# medians over the rounds of busbw (GB/s; at np = 2 busbw = algbw) and the ratios to the ceiling. The ceiling prints
# the best of its repetitions, ringfold-bench the median of its iterations (the slowest rank's): the ratio is, if
# anything, unfavourable to ours. Prints the load average before each run; say it with the numbers.
# Needs `make build` and gcc. ROUNDS (default 5), SIZES (default "1M 16M 64M"; K/M = 2^10/2^20 bytes),
# LIMIT (the C source; default ../shared/anchors/limit/shm_allreduce_limit.c next to the repository).
set -u
ROOT=$(dirname "$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")")
LIMIT=${LIMIT:-$ROOT/../shared/anchors/limit/shm_allreduce_limit.c}
ROUNDS=${ROUNDS:-5}
SIZES=${SIZES:-1M 16M 64M}
cd "$ROOT" || exit 1
[ -f "$LIMIT" ] || { echo "no ceiling source at $LIMIT (set LIMIT=...)" >&2; exit 1; }
command -v gcc > /dev/null || { echo "gcc is needed to build the ceiling" >&2; exit 1; }
compgen -G "build/lib/ringfold-bench-*.jar" > /dev/null || { echo "run 'make build' first" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
gcc -O3 -march=native -pthread "$LIMIT" -o "$WORK/limit" || exit 1
L() { echo "## load $(cut -d' ' -f1-3 /proc/loadavg) :: $*" >&2; }
bytes() { numfmt --from=iec "$1"; }
LIST=$(for s in $SIZES; do printf '%s,' "$s"; done); LIST=${LIST%,}

# "bytes busbw" lines of one ringfold-bench run over all sizes
ours() {
  bin/ringfold-bench allreduce -np 2 -dev shm --sizes "$LIST" --json "$@" 2>/dev/null |
    sed -n 's/.*"bytes":\([0-9]*\).*"busbw_gbps":\([0-9.]*\).*/\1 \2/p'
}

declare -A R
L start
for round in $(seq "$ROUNDS"); do
  for s in $SIZES; do
    b=$(bytes "$s")
    L "round $round ceiling $s"
    R[limit.$b.$round]=$("$WORK/limit" "$b" | sed -n 's/.*busbw \([0-9.]*\) GB\/s.*/\1/p')
  done
  L "round $round ringfold --shared"
  while read -r b g; do R[shared.$b.$round]=$g; done < <(ours --shared)
  L "round $round ringfold private"
  while read -r b g; do R[private.$b.$round]=$g; done < <(ours)
done
L end

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "| size | ceiling GB/s | Ringfold --shared busbw | shared / ceiling | Ringfold private busbw | private / ceiling |"
echo "|---:|---:|---:|---:|---:|---:|"
for s in $SIZES; do
  b=$(bytes "$s")
  lim=$(for r in $(seq "$ROUNDS"); do printf '%s ' "${R[limit.$b.$r]:-}"; done | median)
  sh=$(for r in $(seq "$ROUNDS"); do printf '%s ' "${R[shared.$b.$r]:-}"; done | median)
  pr=$(for r in $(seq "$ROUNDS"); do printf '%s ' "${R[private.$b.$r]:-}"; done | median)
  awk -v s="$s" -v l="$lim" -v a="$sh" -v p="$pr" \
    'BEGIN { printf "| %s | %.2f | %.2f | %.2f | %.2f | %.2f |\n", s, l, a, (l > 0 ? a / l : 0), p, (l > 0 ? p / l : 0) }'
done
