package dev.ringfold.hpctests.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringfold.testsupport.Checkout;
import dev.ringfold.testsupport.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code bin/ringfold-bench soak} as a user runs it: a bounded soak on 4 ranks (30 s; {@code -Dringfold.soak.seconds}
 * for longer) must end with no wrong element and every rank's resources back where they started; and a soak whose
 * rank is killed must end non-zero, with mpjrun naming the rank and signal and the survivors a PeerFailedException.
 */
class SoakTest
{
    private static final Path ROOT = Checkout.ROOT;
    private static final double SECONDS = Double.parseDouble(System.getProperty("ringfold.soak.seconds", "30"));

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void boundedSoakChecksEveryResultAndLeavesNothingBehind() throws Exception
    {
        final Output o = bench(List.of("soak", "-np", "4", "--seconds", Double.toString(SECONDS), "--sizes", "256K",
            "--json"), (long)SECONDS + 240, null);
        assertEquals(0, o.exitCode(), o::toString);
        final List<String> lines = o.stdout().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), o::toString);
        final JsonNode report = new ObjectMapper().readTree(lines.get(0));
        assertEquals("soak", report.get("op").asText());
        assertEquals(4, report.get("np").asInt());
        assertEquals(0, report.get("errors").asLong(), o::toString);
        assertTrue(report.get("operations").asLong() > 100, o::toString);
        assertTrue(report.get("nonblocking").asLong() > 0, o::toString);
        assertTrue(report.get("p2p").asLong() > 0, o::toString);
        assertTrue(report.get("bytes").asLong() > 0, o::toString);
        // Arrow accounting at zero before and after; no descriptor, /dev/shm file or thread more on any rank
        assertEquals(0, report.get("allocator_bytes").get("before").asLong(), o::toString);
        assertEquals(0, report.get("allocator_bytes").get("after").asLong(), o::toString);
        assertEquals(0, report.get("allocator_bytes").get("worst_growth").asLong(), o::toString);
        assertEquals(0, report.get("open_fds").get("worst_growth").asLong(), o::toString);
        assertEquals(0, report.get("shm_files").get("worst_growth").asLong(), o::toString);
        assertEquals(0, report.get("shm_files").get("after").asLong(), o::toString);
        assertTrue(report.get("threads").get("worst_growth").asLong() <= 0, o::toString);
        System.out.println("soak: " + lines.get(0));
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void killedSoakRankIsNamedAndTheJobFails() throws Exception
    {
        final Output o = bench(List.of("soak", "-np", "3", "--seconds", "120", "--sizes", "64K"), 170, 1);
        assertNotEquals(0, o.exitCode(), o::toString);
        assertTrue(Pattern.compile("mpjrun: rank 1 \\(pid " + o.killedPid() + "\\) was killed by signal 9 \\(SIGKILL\\)")
            .matcher(o.stderr()).find(), o::toString);
        final List<String> reports = o.stderr().lines()
            .filter(l -> l.startsWith("ringfold-bench: PeerFailedException: ")).toList();
        assertEquals(2, reports.size(), o::toString);
        assertTrue(reports.stream().anyMatch(l -> l.contains("world rank 1")), o::toString);
        for (final int rank : new int[] {0, 1, 2})
        {
            assertTrue(o.stderr().contains("mpjrun: rank " + rank + " (pid "), "no summary of rank " + rank + "\n" + o);
        }
    }

    record Output(int exitCode, String stdout, String stderr, long killedPid)
    {
        @Override
        public String toString()
        {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /** Runs bin/ringfold-bench; with {@code killRank}, SIGKILLs that rank a few seconds into the run. */
    static Output bench(final List<String> args, final long timeoutSeconds, final Integer killRank) throws Exception
    {
        final Path lib = ROOT.resolve("build/lib");
        assumeTrue(Files.isDirectory(lib), "no " + lib + ": run 'make build' first");
        final Path out = Files.createTempFile("soak", ".out");
        final Path err = Files.createTempFile("soak", ".err");
        try
        {
            final List<String> cmd = new java.util.ArrayList<>(List.of(ROOT.resolve("bin/ringfold-bench").toString()));
            cmd.addAll(args);
            final ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().put("RINGFOLD_BENCH_CP", ROOT.resolve("bench/target/classes").toString());
            pb.environment().put("RINGFOLD_BENCH_TIMEOUT", Long.toString(timeoutSeconds - 10));
            final Process p = pb.start();
            long killed = -1;
            if (killRank != null)
            {
                killed = Processes.rankPid(p.toHandle(), killRank, 60);
                // into the soak, past start-up (the rendezvous is the fault tests' business)
                final long until = System.nanoTime() + 60_000_000_000L;
                while (!Files.readString(out).contains("# soak starting") && System.nanoTime() < until)
                {
                    Thread.sleep(100);
                }
                Thread.sleep(2_000);
                new ProcessBuilder("kill", "-9", Long.toString(killed)).start().waitFor();
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS))
            {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("ringfold-bench did not finish in " + timeoutSeconds + " s:\n" +
                    Files.readString(err));
            }
            return new Output(p.exitValue(), Files.readString(out), Files.readString(err), killed);
        }
        finally
        {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
