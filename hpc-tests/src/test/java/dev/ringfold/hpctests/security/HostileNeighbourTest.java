package dev.ringfold.hpctests.security;

import dev.ringfold.testsupport.Mpjrun;
import dev.ringfold.testsupport.Checkout;
import dev.ringfold.testsupport.Processes;
import dev.ringfold.mpi.JvmFlags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Another user of the node (uid 65534 through {@code setpriv}) attacks a job's start-up: it floods the rendezvous
 * with silent and garbage connections, or takes every predictable /dev/shm name first. Either way the job must start
 * and run. Needs root (to switch uids) and setpriv; skipped elsewhere.
 */
class HostileNeighbourTest
{
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final List<String> AS_NOBODY = List.of(SETPRIV.toString(), "--reuid=65534", "--regid=65534",
        "--clear-groups");
    /** What the ranks run as in the squat test: a user other than the attacker, and not root (who may delete anything). */
    private static final List<String> AS_RANKS_USER = List.of(SETPRIV.toString(), "--reuid=65533", "--regid=65533",
        "--clear-groups");
    private static final int NP = 3;
    private static final String LATE_MS = "3000";

    /**
     * Holds SILENT connections that say nothing (opening new ones as the rendezvous drops them) and opens GARBAGE
     * connections that send an HTTP request, every 50 ms, printing how many it opened each second.
     */
    private static final String FLOOD = """
        import socket, sys, time
        host, port, silent, garbage = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
        held, opened, last = [], 0, time.time()
        def connect():
            s = socket.socket()
            s.settimeout(1)
            s.connect((host, port))
            return s
        while True:
            alive = []
            for s in held:
                try:
                    s.setblocking(False)
                    if s.recv(1) == b'':
                        s.close()
                        continue
                except BlockingIOError:
                    pass
                except OSError:
                    s.close()
                    continue
                alive.append(s)
            held = alive
            while len(held) < silent:
                try:
                    held.append(connect())
                    opened += 1
                except OSError:
                    break
            for i in range(garbage):
                try:
                    g = connect()
                    g.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n' * 8)
                    g.close()
                    opened += 1
                except OSError:
                    pass
            if time.time() - last >= 1:
                print('flood: opened', opened, 'holding', len(held), flush=True)
                last = time.time()
            time.sleep(0.05)
        """;

    @Test
    @Timeout(300)
    void aFloodOfStrangersDoesNotHoldUpTheStart() throws Exception
    {
        assumeAttackerPossible();
        // the last rank joins 3 s late in both runs, so that the rendezvous is open while the flood builds up
        final Mpjrun.Result baseline = Mpjrun.run(NP, "auto", List.of(), 120, NeighbourRanks.class, LATE_MS);
        assertEquals(0, baseline.exitCode(), baseline::toString);

        final Mpjrun.Running job = Mpjrun.start(NP, "auto", List.of(), List.of(), 120, NeighbourRanks.class, LATE_MS);
        final long rank0 = job.rankPid(0, 60);
        final String rendezvous = Processes.environment(rank0, "RINGFOLD_RENDEZVOUS");
        final String port = rendezvous.substring(rendezvous.lastIndexOf(':') + 1);
        final List<String> flood = new ArrayList<>(AS_NOBODY);
        flood.addAll(List.of(PYTHON.toString(), "-c", FLOOD, "127.0.0.1", port, "300", "5"));
        final Path floodOut = Files.createTempFile("flood", ".out");
        final Process flooder = new ProcessBuilder(flood).redirectErrorStream(true).redirectOutput(floodOut.toFile())
            .start();
        final Mpjrun.Result flooded;
        try
        {
            flooded = job.await();
        }
        finally
        {
            flooder.destroyForcibly();
            flooder.waitFor(10, TimeUnit.SECONDS);
        }
        final String floodLog = Files.readString(floodOut);
        Files.delete(floodOut);
        System.out.println("flood: baseline " + baseline.millis() + " ms, flooded " + flooded.millis() + " ms; " +
            floodLog.lines().reduce((a, b) -> b).orElse("(the flooder printed nothing)"));
        assertEquals(0, flooded.exitCode(), flooded + "\n--- flooder\n" + floodLog);
        assertEquals(NP, flooded.count("neighbour: rank"), flooded::toString);
        final Matcher opened = Pattern.compile("flood: opened (\\d+)").matcher(floodLog);
        long most = 0;
        while (opened.find())
        {
            most = Math.max(most, Long.parseLong(opened.group(1)));
        }
        assertTrue(most >= 300, "the flood did not take place: " + floodLog);
        // generous: on a shared 2-core machine the flooder and the launcher's answers to it take CPU from the ranks'
        // JVMs; a rendezvous that strangers could hold failed the job after 122 s
        assertTrue(flooded.millis() < 2 * baseline.millis() + 10_000, "flooded " + flooded.millis() + " ms, baseline " +
            baseline.millis() + " ms");
    }

    @Test
    @Timeout(300)
    void everyPredictableShmNameTakenFirstDoesNotStopTheJob() throws Exception
    {
        assumeAttackerPossible();
        final int port;
        try (ServerSocket probe = new ServerSocket(0))
        {
            port = probe.getLocalPort();
        }
        // a torchrun-style start: the job id ("torch" + port) is known before any rank runs, as an attacker who
        // watches /dev/shm learns it from the first file of a job
        final String jobId = "torch" + port;
        final List<Path> squatted = new ArrayList<>();
        for (int r = 0; r < NP; r++)
        {
            squatted.add(Path.of("/dev/shm/ringfold-" + jobId + "-r" + r));
            squatted.add(Path.of("/dev/shm/ringfold-" + jobId + "-r" + r + ".tmp"));
        }
        final List<String> squat = new ArrayList<>(AS_NOBODY);
        squat.add("/usr/bin/touch");
        squatted.forEach(p -> squat.add(p.toString()));
        try
        {
            assertEquals(0, new ProcessBuilder(squat).inheritIO().start().waitFor());
            for (final Path p : squatted)
            {
                assertEquals("nobody", Files.readAttributes(p, PosixFileAttributes.class).owner().getName());
            }
            final String secret = HexFormat.of().formatHex(randomBytes());
            final List<Process> ranks = new ArrayList<>();
            final List<Path> outputs = new ArrayList<>();
            for (int r = 0; r < NP; r++)
            {
                final List<String> cmd = new ArrayList<>(AS_RANKS_USER);
                cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                cmd.addAll(JvmFlags.REQUIRED);
                cmd.addAll(List.of("-cp", rankClassPath(), NeighbourRanks.class.getName()));
                final ProcessBuilder pb = new ProcessBuilder(cmd).directory(new java.io.File("/tmp"))
                    .redirectErrorStream(true);
                pb.environment().put("MASTER_ADDR", "127.0.0.1");
                pb.environment().put("MASTER_PORT", Integer.toString(port));
                pb.environment().put("RANK", Integer.toString(r));
                pb.environment().put("WORLD_SIZE", Integer.toString(NP));
                pb.environment().put("RINGFOLD_SECRET", secret);
                pb.environment().put("RINGFOLD_DEV", "shm");
                final Path out = Files.createTempFile("squat", ".out");
                outputs.add(out);
                ranks.add(pb.redirectOutput(out.toFile()).start());
            }
            final StringBuilder all = new StringBuilder();
            for (int r = 0; r < NP; r++)
            {
                final boolean ended = ranks.get(r).waitFor(120, TimeUnit.SECONDS);
                if (!ended)
                {
                    ranks.forEach(Process::destroyForcibly);
                }
                all.append("--- rank ").append(r).append('\n').append(Files.readString(outputs.get(r)));
                Files.delete(outputs.get(r));
                assertTrue(ended, "rank " + r + " did not end: " + all);
            }
            for (int r = 0; r < NP; r++)
            {
                assertEquals(0, ranks.get(r).exitValue(), all::toString);
                assertTrue(all.toString().contains("neighbour: rank " + r + " of " + NP + " ok job " + jobId), all::toString);
            }
            // the squatter's files are as they were, and the job left none of its own
            try (Stream<Path> s = Files.list(Path.of("/dev/shm")))
            {
                assertEquals(squatted.stream().sorted().toList(),
                    s.filter(p -> p.getFileName().toString().startsWith("ringfold-" + jobId + "-")).sorted().toList());
            }
        }
        finally
        {
            for (final Path p : squatted)
            {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void assumeAttackerPossible() throws IOException, InterruptedException
    {
        assumeTrue(Files.isExecutable(SETPRIV) && Files.isExecutable(PYTHON), "needs setpriv and python3");
        final List<String> probe = new ArrayList<>(AS_NOBODY);
        probe.add("/bin/true");
        assumeTrue(new ProcessBuilder(probe).start().waitFor() == 0, "needs root to run as another user");
        try (var jars = Files.list(Checkout.ROOT.resolve("build/lib")))
        {
            assumeTrue(jars.anyMatch(p -> p.toString().endsWith(".jar")), "build/lib has no jars: run 'make' first");
        }
    }

    /** build/lib and the test classes: what a rank started by hand needs, readable by any user. */
    private static String rankClassPath()
    {
        return Checkout.ROOT.resolve("build/lib") + "/*" + java.io.File.pathSeparator + Checkout.TEST_CLASSES;
    }

    private static byte[] randomBytes()
    {
        final byte[] b = new byte[32];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }
}
