package dev.ringfold.hpctests.hostfile;

import dev.ringfold.testsupport.Checkout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code mpjrun -machinesfile} over a real ssh: two "hosts" in network namespaces ({@code hpc-tests/ssh/hosts-up.sh}),
 * mpjrun on h1 (10.77.0.1) starting two ranks over ssh on h2 (10.77.0.2, which runs sshd) and one locally. The ranks
 * of h2 must share memory, talk TCP to the one on h1, get the job secret (no warning about a missing one) and sum
 * right.
 */
class HostfileSshTest
{
    private static final Path SCRIPTS = Checkout.ROOT.resolve("hpc-tests/ssh");
    private static final Path DIR = Path.of(System.getenv().getOrDefault("RINGFOLD_SSH_DIR",
        "/tmp/ringfold-ssh-" + Integer.toHexString(Checkout.ROOT.toString().hashCode())));

    @BeforeAll
    static void hostsUp() throws Exception
    {
        assumeTrue("root".equals(System.getProperty("user.name")),
            "the ssh hosts need root (network namespaces, sshd); .ci/run runs as root");
        final Result up = run(List.of("bash", SCRIPTS.resolve("hosts-up.sh").toString()), List.of(), 900);
        assertEquals(0, up.exit, "hosts-up.sh failed:\n" + up.output);
    }

    @AfterAll
    static void hostsDown() throws Exception
    {
        if ("root".equals(System.getProperty("user.name")))
        {
            final Result down = run(List.of("bash", SCRIPTS.resolve("hosts-down.sh").toString()), List.of(), 120);
            assertEquals(0, down.exit, "hosts-down.sh failed:\n" + down.output);
        }
    }

    @Test
    @Timeout(240)
    void ranksStartOverSshOnTheHostsOfAMachinesFile() throws Exception
    {
        final Path hosts = DIR.resolve("machines");
        Files.writeString(hosts, "# h2 runs sshd\n10.77.0.2 slots=2\nlocalhost   # h1, where mpjrun runs\n");
        final String ns = Files.readString(DIR.resolve("run/ns-h1")).strip();
        final List<String> cmd = List.of("nsenter", "--net=/run/netns/" + ns, "--",
            Checkout.ROOT.resolve("bin/mpjrun").toString(), "-np", "3", "-machinesfile", hosts.toString(),
            "--timeout", "180", "-cp", Checkout.ROOT.resolve("build/lib") + "/*", "dev.ringfold.examples.AllReduceCheck",
            "5000");
        final Result job = run(cmd, List.of("RINGFOLD_SSH=" + Files.readString(DIR.resolve("ssh-command")).strip(),
            "RINGFOLD_RENDEZVOUS_HOST=10.77.0.1"), 200);
        assertEquals(0, job.exit, job.output);
        final String shared = "transports 0=shm 1=shm 2=tcp; all-reduce ok (5000 doubles, last 5994.0)";
        assertTrue(job.output.lines().anyMatch(l -> l.startsWith("[0] rank 0 of 3 ") && l.endsWith(shared)), job.output);
        assertTrue(job.output.lines().anyMatch(l -> l.startsWith("[1] rank 1 of 3 ") && l.endsWith(shared)), job.output);
        assertTrue(job.output.lines().anyMatch(l -> l.startsWith("[2] rank 2 of 3 ") &&
            l.endsWith("transports 0=tcp 1=tcp 2=shm; all-reduce ok (5000 doubles, last 5994.0)")), job.output);
        assertTrue(!job.output.contains("has no secret"), "the remote ranks read the secret from stdin:\n" + job.output);
    }

    /**
     * Growing back over ssh (issue 16 item 3): ranks 0 and 1 on h2, 2 on h1; rank 1 SIGKILLs itself after a barrier
     * and mpjrun (--elastic, one replacement) starts its replacement over ssh on h2 again: it joins the survivors,
     * over shared memory with rank 0 and TCP across the namespaces with rank 2, and takes rank 1's place
     * ({@link dev.ringfold.hpctests.reliability.RegrowRanks}: greetings both ways, 2 MiB around WORLD).
     */
    @Test
    @Timeout(240)
    void aDeadRanksReplacementStartsOverSshOnItsHost() throws Exception
    {
        final Path hosts = DIR.resolve("machines-regrow");
        Files.writeString(hosts, "10.77.0.2 slots=2\nlocalhost\n");
        final String ns = Files.readString(DIR.resolve("run/ns-h1")).strip();
        final List<String> cmd = List.of("nsenter", "--net=/run/netns/" + ns, "--",
            Checkout.ROOT.resolve("bin/mpjrun").toString(), "-np", "3", "-machinesfile", hosts.toString(),
            "--timeout", "180", "--elastic", "2:3", "--max-replacements", "1", "-cp",
            Checkout.rankClassPath() + ":" + Checkout.ROOT.resolve("build/lib") + "/*",
            "dev.ringfold.hpctests.reliability.RegrowRanks", "1", "0", "60");
        final Result job = run(cmd, List.of("RINGFOLD_SSH=" + Files.readString(DIR.resolve("ssh-command")).strip(),
            "RINGFOLD_RENDEZVOUS_HOST=10.77.0.1"), 200);
        assertEquals(0, job.exit, job.output);
        assertTrue(job.output.contains("starting a replacement for rank 1 (incarnation 1, 1 of 1 replacements)"),
            job.output);
        for (final String line : List.of("rank 0 greeted by rank 1 incarnation 1 via shm",
            "rank 2 greeted by rank 1 incarnation 1 via tcp", "rank 1 incarnation 1 answered by rank 0 via shm",
            "rank 1 incarnation 1 answered by rank 2 via tcp", "rank 0 ring ok from rank 2 incarnation 0",
            "rank 1 ring ok from rank 0 incarnation 0", "rank 2 ring ok from rank 1 incarnation 1"))
        {
            assertTrue(job.output.contains("regrow: " + line), line + "\n" + job.output);
        }
    }

    private record Result(int exit, String output)
    {
    }

    /** Runs a command with a limit, output and errors together; stops it (and its children) by pid when over. */
    private static Result run(final List<String> cmd, final List<String> env, final long limitS) throws Exception
    {
        final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(Checkout.ROOT.toFile());
        pb.environment().put("RINGFOLD_SSH_DIR", DIR.toString());
        for (final String e : env)
        {
            pb.environment().put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
        }
        final Path out = Files.createTempFile("ringfold-ssh", ".out");
        pb.redirectOutput(out.toFile());
        final Process p = pb.start();
        try
        {
            if (!p.waitFor(limitS, TimeUnit.SECONDS))
            {
                final List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
                tree.forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(cmd + " did not end within " + limitS + " s:\n" + Files.readString(out));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        }
        finally
        {
            Files.deleteIfExists(out);
        }
    }
}
