package dev.ringfold.hpctests.reliability;

import dev.ringfold.testsupport.Mpjrun;
import dev.ringfold.testsupport.Checkout;
import org.junit.jupiter.api.Test;
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
        cases.add(Arguments.of("shm", "detect", 2));
        cases.add(Arguments.of("tcp", "detect", 2));
        return cases.stream();
    }

    /**
     * Mixed placement: 4 ranks of this machine made into two nodes (RINGFOLD_NODE a, a, b, b: shared memory inside
     * each, TCP between), started torchrun-style without mpjrun (which gives every rank the same environment), so
     * nothing stops the survivors but the test. Revocation must cross both transports; so must the agreement of
     * shrink after rank 1 (node a) dies.
     */
    @ParameterizedTest(name = "mixed {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"revoke-allreduce", "shrink"})
    @Timeout(120)
    void mixedPlacement(final String scenario) throws Exception
    {
        final String[] nodes = {"a", "a", "b", "b"};
        final List<List<String>> noPrefix = List.of(List.of(), List.of(), List.of(), List.of());
        twoNodes(scenario, nodes, noPrefix, "127.0.0.1");
    }

    /**
     * Shrink across two hosts of their own: network namespaces h1 (10.77.0.1) and h2 (10.77.0.2) joined by a veth
     * pair ({@code hpc-tests/ssh/hosts-up.sh}, in a folder of this test's), ranks 0 and 1 in h1, 2 and 3 in h2, so
     * TCP between the nodes goes over a real interface and neither node can reach the other's loopback. Rank 1
     * dies; the survivors of both hosts agree, shrink and all-reduce on the shrunk communicator.
     */
    @Test
    @Timeout(180)
    void shrinkAcrossTwoNetworkNamespaceHosts() throws Exception
    {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
            "network namespaces need root; .ci/run runs as root");
        final java.nio.file.Path dir = java.nio.file.Path.of("/tmp/ringfold-ft-hosts-" +
            Integer.toHexString(Checkout.ROOT.toString().hashCode()));
        final java.nio.file.Path scripts = Checkout.ROOT.resolve("hpc-tests/ssh");
        script(scripts.resolve("hosts-up.sh"), dir);
        try
        {
            final List<List<String>> prefixes = new ArrayList<>();
            final String[] nodes = {"h1", "h1", "h2", "h2"};
            for (final String node : nodes)
            {
                final String ns = java.nio.file.Files.readString(dir.resolve("run/ns-" + node)).strip();
                prefixes.add(List.of("nsenter", "--net=/run/netns/" + ns, "--"));
            }
            twoNodes("shrink", nodes, prefixes, "10.77.0.1");
        }
        finally
        {
            script(scripts.resolve("hosts-down.sh"), dir);
        }
    }

    private static void script(final java.nio.file.Path script, final java.nio.file.Path dir) throws Exception
    {
        final ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
        pb.environment().put("RINGFOLD_SSH_DIR", dir.toString());
        final Process p = pb.start();
        final String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(600, java.util.concurrent.TimeUnit.SECONDS), script + " ended");
        assertEquals(0, p.exitValue(), script + " failed:\n" + out);
    }

    /**
     * Starts {@link FaultTolerantRanks} {@code scenario} on 4 ranks torchrun-style (each rank's command behind its
     * prefix, rank 0's address {@code masterAddress}), rank 1 the victim where the scenario kills, and checks what
     * every survivor printed: shrunk (and revoked, for a revocation), done, no /dev/shm file of the job left.
     */
    private static void twoNodes(final String scenario, final String[] nodes, final List<List<String>> prefixes,
        final String masterAddress) throws Exception
    {
        final boolean kills = scenario.equals("shrink");
        final int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0))
        {
            port = probe.getLocalPort();
        }
        final List<String> cmd = new ArrayList<>();
        cmd.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(java.nio.file.Files.readString(Checkout.ROOT.resolve("bin/jvm-flags")).trim().split("\\s+")));
        cmd.addAll(List.of("-cp", Checkout.ROOT.resolve("build/lib") + "/*:" + Checkout.TEST_CLASSES,
            FaultTolerantRanks.class.getName(), scenario, "1"));
        final List<Process> ranks = new ArrayList<>();
        final List<java.nio.file.Path> outputs = new ArrayList<>();
        final StringBuilder all = new StringBuilder();
        try
        {
            for (int r = 0; r < nodes.length; r++)
            {
                final java.nio.file.Path out = java.nio.file.Files.createTempFile("ft-mixed", ".out");
                outputs.add(out);
                final List<String> rankCmd = new ArrayList<>(prefixes.get(r));
                rankCmd.addAll(cmd);
                final ProcessBuilder pb = new ProcessBuilder(rankCmd).redirectErrorStream(true)
                    .redirectOutput(out.toFile());
                pb.environment().keySet().removeIf(k -> k.startsWith("RINGFOLD_") || k.startsWith("SLURM_") ||
                    k.startsWith("OMPI_"));
                pb.environment().putAll(Map.of("MASTER_ADDR", masterAddress, "MASTER_PORT", String.valueOf(port),
                    "RANK", String.valueOf(r), "WORLD_SIZE", String.valueOf(nodes.length), "RINGFOLD_NODE", nodes[r],
                    "RINGFOLD_TIMEOUT_MS", "60000"));
                ranks.add(pb.start());
            }
            for (int r = 0; r < nodes.length; r++)
            {
                assertTrue(ranks.get(r).waitFor(90, java.util.concurrent.TimeUnit.SECONDS), "rank " + r + " ended");
                all.append(java.nio.file.Files.readString(outputs.get(r)));
                assertEquals(kills && r == 1 ? 128 + 9 : 0, ranks.get(r).exitValue(), "rank " + r + "\n" + all);
            }
        }
        finally
        {
            ranks.forEach(Process::destroyForcibly);
            for (final java.nio.file.Path p : outputs)
            {
                java.nio.file.Files.deleteIfExists(p);
            }
        }
        final String out = all.toString();
        final Mpjrun.Result r = new Mpjrun.Result(0, out, "", 0);
        final Set<Integer> survivors = kills ? Set.of(0, 2, 3) : Set.of(0, 1, 2, 3);
        for (final int s : survivors)
        {
            assertTrue(out.contains("ft: rank " + s + " done"), r::toString);
        }
        checkShrunk(out, survivors.size(), survivors, r);
        if (!kills)
        {
            checkRevoked(out, 1, "allreduce", r);
        }
        assertEquals(List.of(), FaultInjectionTest.shmFilesOf("torch" + port), r::toString);
    }

    @Test
    @Timeout(120)
    void nativeDeviceRefusesEveryCallAndSaysWhy() throws Exception
    {
        final Mpjrun.Result r = Mpjrun.run(2, "native", List.of(), 60, FaultTolerantRanks.class, "refused", "-1");
        assertEquals(0, r.exitCode(), r::toString);
        for (final String op : List.of("revoke", "agree", "shrink", "failureAck"))
        {
            for (int rank = 0; rank < 2; rank++)
            {
                final Matcher m = Pattern.compile("ft: rank " + rank + " refused " + op + ": (.*)").matcher(r.stdout());
                assertTrue(m.find(), r::toString);
                assertTrue(m.group(1).contains("Open MPI 4.1 has no ULFM"), r::toString);
            }
        }
        assertEquals(2, r.count("done"), r::toString);
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
        if (scenario.equals("detect"))
        {
            checkDetected(out, victim, survivors, r);
        }
        else if (scenario.startsWith("agree-"))
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

    /** Every survivor, polling without a wait, learns of the death; prints how long it took. */
    private static void checkDetected(final String out, final int victim, final Set<Integer> survivors,
        final Mpjrun.Result r)
    {
        final Matcher killed = Pattern.compile("fault: rank " + victim + " killing itself at (\\d+)").matcher(out);
        assertTrue(killed.find(), r::toString);
        final long death = Long.parseLong(killed.group(1));
        final Matcher m = Pattern.compile("ft: rank (\\d+) knows of \\[(.*)] at (\\d+): (.*)").matcher(out);
        final Set<Integer> seen = new HashSet<>();
        final StringBuilder times = new StringBuilder();
        while (m.find())
        {
            final int rank = Integer.parseInt(m.group(1));
            final long ms = Long.parseLong(m.group(3)) - death;
            seen.add(rank);
            assertEquals(Integer.toString(victim), m.group(2), r::toString);
            assertTrue(ms < 10_000, () -> "rank " + rank + " took " + ms + " ms\n" + r);
            times.append(' ').append(rank).append(':').append(ms).append("ms(").append(m.group(4)).append(')');
        }
        assertEquals(survivors, seen, r::toString);
        System.out.println("known:" + times);
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
