package dev.ringfold.hpctests.reliability;

import dev.ringfold.hpctests.Mpjrun;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault-tolerant communicator operations across real processes ({@link FaultTolerantRanks}), with mpjrun
 * leaving the survivors of a SIGKILL running (RINGFOLD_KEEP_SURVIVORS=1): agreement with a death before, during
 * and after it, the coordinator or another member; revocation waking ranks blocked in a receive, an all-reduce, a
 * barrier, a broadcast and a persistent all-reduce; shrink and work on the shrunk communicator, over shared memory
 * and TCP. Then the cleanup, as in {@link FaultInjectionTest}: no rank JVM and nothing of the job in /dev/shm left.
 */
class FaultToleranceTest
{
    private static final int NP = 4;
    private static final Pattern AGREED = Pattern.compile("ft: rank (\\d+) agree#(\\d) value (-?\\d+) acked \\[(.*)]");
    private static final Pattern SHRUNK = Pattern.compile("ft: rank (\\d+) shrunk to (\\d+) as rank (\\d+) sum (\\d+) agree (-?\\d+)");
    private static final Pattern REVOKED_AT = Pattern.compile("ft: rank (\\d+) revoking at (\\d+)");
    private static final Pattern FAILED = Pattern.compile("ft: rank (\\d+) (\\w+) at (\\d+) in (\\w+): (.*)");
    private static final Pattern PIDS = Pattern.compile("fault: rank (\\d+) pid (\\d+) job (\\S+)");

    static Stream<Arguments> cases()
    {
        final List<Arguments> cases = new ArrayList<>();
        for (final String point : List.of("before", "during", "after"))
        {
            cases.add(Arguments.of("shm", "agree-" + point, 0));
            cases.add(Arguments.of("shm", "agree-" + point, 1));
        }
        cases.add(Arguments.of("tcp", "agree-during", 0));
        for (final String op : List.of("recv", "allreduce", "barrier", "bcast", "persistent"))
        {
            cases.add(Arguments.of("shm", "revoke-" + op, 1));
        }
        cases.add(Arguments.of("tcp", "revoke-allreduce", 1));
        cases.add(Arguments.of("shm", "shrink", 1));
        cases.add(Arguments.of("shm", "shrink", 0));
        cases.add(Arguments.of("tcp", "shrink", 2));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} victim {2}")
    @MethodSource("cases")
    @Timeout(120)
    void survivorsCarryOn(final String dev, final String scenario, final int victim) throws Exception
    {
        final Mpjrun.Result r = Mpjrun.start(NP, dev, List.of(), Map.of("RINGFOLD_KEEP_SURVIVORS", "1"), List.of(),
            60, FaultTolerantRanks.class, scenario, Integer.toString(victim)).await();
        final String out = r.stdout();
        final boolean kills = !scenario.startsWith("revoke-");
        assertEquals(kills ? 128 + 9 : 0, r.exitCode(), r::toString);
        final Set<Integer> done = new HashSet<>();
        for (int rank = 0; rank < NP; rank++)
        {
            if (out.contains("ft: rank " + rank + " done"))
            {
                done.add(rank);
            }
        }
        final Set<Integer> survivors = new HashSet<>();
        for (int rank = 0; rank < NP; rank++)
        {
            if (!kills || rank != victim)
            {
                survivors.add(rank);
            }
        }
        assertEquals(survivors, done, () -> "every survivor finishes\n" + r);
        if (scenario.startsWith("agree-"))
        {
            checkAgreements(out, victim, scenario.substring("agree-".length()), survivors, r);
        }
        else
        {
            checkShrunk(out, kills ? NP - 1 : NP, survivors, r);
        }
        if (scenario.startsWith("revoke-"))
        {
            checkRevoked(out, victim, scenario.substring("revoke-".length()), r);
        }
        if (scenario.equals("shrink"))
        {
            // each survivor's all-reduce fails: on the death itself, or on the revocation by one that saw it first
            final Matcher failed = FAILED.matcher(out);
            int seen = 0;
            int dead = 0;
            while (failed.find())
            {
                assertTrue(Set.of("PeerFailedException", "CommunicatorRevokedException").contains(failed.group(2)),
                    r::toString);
                dead += failed.group(2).equals("PeerFailedException") ? 1 : 0;
                seen++;
            }
            assertEquals(NP - 1, seen, r::toString);
            assertTrue(dead > 0, r::toString);
        }
        // cleanup: no rank JVM is left, nothing of the job is left in /dev/shm
        final Matcher pids = PIDS.matcher(out);
        String job = null;
        while (pids.find())
        {
            final long pid = Long.parseLong(pids.group(2));
            job = pids.group(3);
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " runs\n" + r);
        }
        assertTrue(job != null, r::toString);
        assertEquals(List.of(), FaultInjectionTest.shmFilesOf(job), r::toString);
    }

    private static void checkAgreements(final String out, final int victim, final String point,
        final Set<Integer> survivors, final Mpjrun.Result r)
    {
        final Map<Integer, String> values = new HashMap<>();
        final Map<Integer, String> acked = new HashMap<>();
        final Map<Integer, Set<Integer>> who = new HashMap<>();
        final Matcher m = AGREED.matcher(out);
        while (m.find())
        {
            final int rank = Integer.parseInt(m.group(1));
            final int k = Integer.parseInt(m.group(2));
            if (!survivors.contains(rank))
            {
                continue; // the victim's own first result, "after"
            }
            who.computeIfAbsent(k, x -> new HashSet<>()).add(rank);
            final String value = m.group(3);
            final String previous = values.putIfAbsent(k, value);
            assertTrue(previous == null || previous.equals(value), () -> "agree#" + k + " differs\n" + r);
            final String set = m.group(4);
            final String before = acked.putIfAbsent(k, set);
            assertTrue(before == null || before.equals(set), () -> "agree#" + k + "'s failures differ\n" + r);
        }
        assertEquals(survivors, who.get(1), r::toString);
        assertEquals(survivors, who.get(2), r::toString);
        final int first = Integer.parseInt(values.get(1));
        final int second = Integer.parseInt(values.get(2));
        final int victimBit = 1 << victim;
        switch (point)
        {
            case "before" ->
            {
                assertEquals(victimBit, first & victimBit, () -> "the dead rank's flags are left out\n" + r);
                assertEquals(Integer.toString(victim), acked.get(1), r::toString);
            }
            case "after" ->
            {
                assertEquals(0, first & victimBit, () -> "the victim took part in the first\n" + r);
                assertEquals("", acked.get(1), r::toString);
            }
            default ->
            {
                // during: counted or not, the same everywhere (checked above)
            }
        }
        for (final int s : survivors)
        {
            assertEquals(0, first & (1 << s), () -> "survivor " + s + "'s flags count\n" + r);
            assertEquals(0, second & (1 << s), () -> "survivor " + s + "'s flags count\n" + r);
        }
        assertEquals(victimBit, second & victimBit, r::toString);
        assertEquals(Integer.toString(victim), acked.get(2), r::toString);
    }

    private static void checkShrunk(final String out, final int size, final Set<Integer> survivors,
        final Mpjrun.Result r)
    {
        final Matcher m = SHRUNK.matcher(out);
        final Set<Integer> seen = new HashSet<>();
        final List<Integer> order = survivors.stream().sorted().toList();
        final int sum = order.stream().mapToInt(Integer::intValue).sum();
        String agreed = null;
        while (m.find())
        {
            final int rank = Integer.parseInt(m.group(1));
            seen.add(rank);
            assertEquals(size, Integer.parseInt(m.group(2)), r::toString);
            assertEquals(order.indexOf(rank), Integer.parseInt(m.group(3)), () -> "same relative order\n" + r);
            assertEquals(sum, Integer.parseInt(m.group(4)), r::toString);
            assertTrue(agreed == null || agreed.equals(m.group(5)), r::toString);
            agreed = m.group(5);
        }
        assertEquals(survivors, seen, r::toString);
    }

    private static void checkRevoked(final String out, final int revoker, final String op, final Mpjrun.Result r)
    {
        final Matcher at = REVOKED_AT.matcher(out);
        assertTrue(at.find(), r::toString);
        final long revokedAt = Long.parseLong(at.group(2));
        final Matcher m = FAILED.matcher(out);
        int seen = 0;
        final StringBuilder times = new StringBuilder();
        while (m.find())
        {
            seen++;
            final long ms = Long.parseLong(m.group(3)) - revokedAt;
            assertEquals("CommunicatorRevokedException", m.group(2), r::toString);
            assertEquals(op, m.group(4), r::toString);
            assertTrue(m.group(5).contains("revoked by its rank " + revoker), r::toString);
            assertTrue(ms < 10_000, () -> "woken " + ms + " ms after the revocation\n" + r);
            times.append(' ').append(m.group(1)).append(':').append(ms).append("ms");
        }
        assertEquals(NP - 1, seen, r::toString);
        System.out.println("revoke: op=" + op + " (ms after revoke())" + times);
    }
}
