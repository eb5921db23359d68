package dev.ringfold.hpctests.p2p;

import dev.ringfold.testsupport.Checkout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Ranks started by someone else than bin/mpjrun find each other from that launcher's environment: Open MPI's
 * mpirun ({@code OMPI_COMM_WORLD_*}) and torchrun-style variables ({@code MASTER_ADDR/PORT, RANK, WORLD_SIZE}).
 */
class ForeignLaunchTest
{
    private static final String[] SCENARIOS = {"pingpong", "sizes", "fanin", "contexts"};

    private static List<String> javaCommand() throws Exception
    {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(Files.readString(Checkout.ROOT.resolve("bin/jvm-flags")).trim().split("\\s+")));
        cmd.add("-cp");
        cmd.add(Checkout.ROOT.resolve("build/lib") + File.separator + "*" + File.pathSeparator + Checkout.TEST_CLASSES +
            File.pathSeparator + System.getProperty("java.class.path"));
        cmd.add(PointToPointRanks.class.getName());
        cmd.addAll(List.of(SCENARIOS));
        return cmd;
    }

    @Test
    @Timeout(120)
    void torchrunStyleEnvironment() throws Exception
    {
        final int port;
        try (ServerSocket probe = new ServerSocket(0))
        {
            port = probe.getLocalPort();
        }
        final int np = 3;
        final List<Process> ranks = new ArrayList<>();
        final List<Path> outputs = new ArrayList<>();
        try
        {
            for (int r = 0; r < np; r++)
            {
                final Path out = Files.createTempFile("torchstyle", ".out");
                outputs.add(out);
                final ProcessBuilder pb = new ProcessBuilder(javaCommand()).redirectErrorStream(true)
                    .redirectOutput(out.toFile());
                pb.environment().keySet().removeIf(k -> k.startsWith("RINGFOLD_") || k.startsWith("SLURM_") || k.startsWith("OMPI_"));
                pb.environment().putAll(java.util.Map.of("MASTER_ADDR", "127.0.0.1", "MASTER_PORT", String.valueOf(port),
                    "RANK", String.valueOf(r), "WORLD_SIZE", String.valueOf(np)));
                ranks.add(pb.start());
            }
            for (int r = 0; r < np; r++)
            {
                assertTrue(ranks.get(r).waitFor(90, TimeUnit.SECONDS), "rank " + r + " finished");
                final String text = Files.readString(outputs.get(r));
                assertEquals(0, ranks.get(r).exitValue(), text);
                for (final String s : SCENARIOS)
                {
                    assertTrue(text.contains("ok " + s + " rank " + r + " of " + np), text);
                }
            }
        }
        finally
        {
            ranks.forEach(Process::destroyForcibly);
            for (final Path p : outputs)
            {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    @Timeout(120)
    void openMpiMpirun() throws Exception
    {
        assumeTrue(new File("/usr/bin/mpirun").canExecute(), "Open MPI's mpirun is not installed (apt-get install openmpi-bin)");
        final List<String> cmd = new ArrayList<>(List.of("/usr/bin/mpirun", "--allow-run-as-root", "--oversubscribe",
            "--bind-to", "none", "-np", "3"));
        cmd.addAll(javaCommand());
        final Path out = Files.createTempFile("mpirun", ".out");
        final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("RINGFOLD_"));
        final Process p = pb.start();
        try
        {
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "mpirun finished");
            final String text = Files.readString(out);
            assertEquals(0, p.exitValue(), text);
            for (final String s : SCENARIOS)
            {
                for (int r = 0; r < 3; r++)
                {
                    assertTrue(text.contains("ok " + s + " rank " + r + " of 3"), text);
                }
            }
        }
        finally
        {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }
}
