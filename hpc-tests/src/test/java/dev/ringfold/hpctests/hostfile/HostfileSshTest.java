package dev.ringfold.hpctests.hostfile;

import dev.ringfold.hpctests.NamespaceHosts;
import dev.ringfold.testsupport.Checkout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code mpjrun -machinesfile} over a real ssh: two "hosts" in network namespaces ({@code hpc-tests/ssh/hosts-up.sh}),
 * mpjrun on h1 (10.77.0.1) starting two ranks over ssh on h2 (10.77.0.2, which runs sshd) and one locally. The ranks
 * of h2 must share memory, talk TCP to the one on h1, get the job secret (no warning about a missing one) and sum
 * right.
 */
class HostfileSshTest
{
    private static final NamespaceHosts HOSTS = new NamespaceHosts("ssh", "RINGFOLD_SSH_DIR");
    private static final Path DIR = HOSTS.dir();

    @BeforeAll
    static void hostsUp() throws Exception
    {
        HOSTS.up("hosts-up.sh", "the ssh hosts need root (network namespaces, sshd)");
    }

    @AfterAll
    static void hostsDown() throws Exception
    {
        HOSTS.down("hosts-down.sh");
    }

    @Test
    @Timeout(240)
    void ranksStartOverSshOnTheHostsOfAMachinesFile() throws Exception
    {
        final String output = mpjrunOnH1("machines",
            "# h2 runs sshd\n10.77.0.2 slots=2\nlocalhost   # h1, where mpjrun runs\n",
            "-cp", Checkout.ROOT.resolve("build/lib") + "/*", "dev.ringfold.examples.AllReduceCheck", "5000");
        final String shared = "transports 0=shm 1=shm 2=tcp; all-reduce ok (5000 doubles, last 5994.0)";
        assertTrue(output.lines().anyMatch(l -> l.startsWith("[0] rank 0 of 3 ") && l.endsWith(shared)), output);
        assertTrue(output.lines().anyMatch(l -> l.startsWith("[1] rank 1 of 3 ") && l.endsWith(shared)), output);
        assertTrue(output.lines().anyMatch(l -> l.startsWith("[2] rank 2 of 3 ") &&
            l.endsWith("transports 0=tcp 1=tcp 2=shm; all-reduce ok (5000 doubles, last 5994.0)")), output);
        assertTrue(!output.contains("has no secret"), "the remote ranks read the secret from stdin:\n" + output);
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
        final String output = mpjrunOnH1("machines-regrow", "10.77.0.2 slots=2\nlocalhost\n", "--elastic", "2:3",
            "--max-replacements", "1", "-cp", Checkout.rankClassPath() + ":" + Checkout.ROOT.resolve("build/lib") + "/*",
            "dev.ringfold.hpctests.reliability.RegrowRanks", "1", "0", "60");
        assertTrue(output.contains("starting a replacement for rank 1 (incarnation 1, 1 of 1 replacements)"),
            output);
        for (final String line : List.of("rank 0 greeted by rank 1 incarnation 1 via shm",
            "rank 2 greeted by rank 1 incarnation 1 via tcp", "rank 1 incarnation 1 answered by rank 0 via shm",
            "rank 1 incarnation 1 answered by rank 2 via tcp", "rank 0 ring ok from rank 2 incarnation 0",
            "rank 1 ring ok from rank 0 incarnation 0", "rank 2 ring ok from rank 1 incarnation 1"))
        {
            assertTrue(output.contains("regrow: " + line), line + "\n" + output);
        }
    }

    /**
     * {@code mpjrun -np 3 -machinesfile FILE --timeout 180 ARGS} on h1 (mpjrun's rendezvous on h1's address, ssh into
     * h2 with the hosts' key), {@code machines} written to FILE; returns the job's output once it exited 0.
     */
    private static String mpjrunOnH1(final String file, final String machines, final String... args) throws Exception
    {
        final Path hosts = DIR.resolve(file);
        Files.writeString(hosts, machines);
        final String ns = Files.readString(DIR.resolve("run/ns-h1")).strip();
        final List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + ns, "--",
            Checkout.ROOT.resolve("bin/mpjrun").toString(), "-np", "3", "-machinesfile", hosts.toString(),
            "--timeout", "180"));
        cmd.addAll(List.of(args));
        final NamespaceHosts.Result job = HOSTS.run(cmd, Map.of(
            "RINGFOLD_SSH", Files.readString(DIR.resolve("ssh-command")).strip(),
            "RINGFOLD_RENDEZVOUS_HOST", "10.77.0.1"), 200);
        assertEquals(0, job.exit(), job.output());
        return job.output();
    }
}
