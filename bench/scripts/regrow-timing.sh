#!/usr/bin/env bash
# From a rank's death to its replacement serving point-to-point, shared memory against TCP, as quoted in
# BENCHMARKS.md: 3 ranks under mpjrun --elastic 2:3 --max-replacements 1 (RegrowRanks), rank 1 SIGKILLs itself after
# a barrier; each run prints, in ms of the wall clock: kill -> the survivors see it fail (the later of the two),
# kill -> the replacement's greeting received by both survivors (it joined and sent; the later of the two), and the
# replacement's own JVM start -> main and its join (Ringfold.init). DEVS (default "shm tcp") alternate within each of
# ROUNDS (default 7) rounds, so load drifts hit both; the load average is printed before each run. Needs `make build`
# and hpc-tests' test classes (mvn -pl hpc-tests -am verify -DskipTests).
set -u
ROOT=$(dirname "$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")")
ROUNDS=${ROUNDS:-7}
DEVS=${DEVS:-shm tcp}
cd "$ROOT" || exit 1
[ -f hpc-tests/target/test-classes/dev/ringfold/hpctests/reliability/RegrowRanks.class ] ||
  { echo "no RegrowRanks class: mvn -pl hpc-tests -am verify -DskipTests first" >&2; exit 1; }
echo "dev load kill->seen_failed_ms kill->served_ms jvm->main_ms join_ms"
for round in $(seq 1 "$ROUNDS"); do
  for dev in $DEVS; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    out=$(bin/mpjrun -np 3 -dev "$dev" --elastic 2:3 --max-replacements 1 --timeout 60 \
      -cp hpc-tests/target/test-classes dev.ringfold.hpctests.reliability.RegrowRanks 1 0 30 2>&1)
    echo "$out" | awk -v dev="$dev" -v load="$load" '
      / killed at / { kill = $NF }
      / saw rank 1 fail at / { if ($NF > seen) seen = $NF }
      / greeted by rank 1 / { if ($NF > served) served = $NF }
      / joined at / { for (i = 1; i <= NF; i++) { if ($i == "(main") main = $(i + 2); if ($i == "join") join = $(i + 1) } }
      END { if (kill && served) printf "%s %s %d %d %s %s\n", dev, load, seen - kill, served - kill, main, join;
            else printf "%s %s failed\n", dev, load }'
  done
done
