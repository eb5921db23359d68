package dev.ringfold.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Ranks on one machine that count as several nodes: each rank gets its own RINGFOLD_NODE (ranks with the same one
 * share memory, the others talk TCP). They start through the torchrun-style environment
 * (MASTER_ADDR/MASTER_PORT/RANK/WORLD_SIZE; rank 0 hosts the rendezvous), since bin/mpjrun gives every rank the
 * same environment.
 */
public final class SimulatedNodes
{
    private SimulatedNodes()
    {
    }

    /**
     * Starts {@code main} on {@code nodes.length} ranks, rank r on node {@code nodes[r]}; fails the test unless every
     * rank exits 0 (with the tail of each that did not); returns every rank's output.
     */
    public static String run(final String[] nodes, final int timeoutSeconds, final Class<?> main,
        final String... args) throws IOException, InterruptedException
    {
        Checkout.assumeBuilt();
        final int port;
        try (ServerSocket probe = new ServerSocket(0))
        {
            port = probe.getLocalPort();
        }
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(Files.readString(Checkout.ROOT.resolve("bin/jvm-flags")).trim().split("\\s+")));
        cmd.add("-cp");
        cmd.add(Checkout.ROOT.resolve("build/lib") + "/*:" + Checkout.rankClassPath());
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        final List<Process> ranks = new ArrayList<>();
        final List<Path> outputs = new ArrayList<>();
        try
        {
            for (int r = 0; r < nodes.length; r++)
            {
                final Path out = Files.createTempFile("ringfold-node-job", ".out");
                outputs.add(out);
                final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
                pb.environment().keySet().removeIf(k -> k.startsWith("RINGFOLD_") || k.startsWith("SLURM_") ||
                    k.startsWith("OMPI_"));
                pb.environment().putAll(Map.of("MASTER_ADDR", "127.0.0.1", "MASTER_PORT", String.valueOf(port),
                    "RANK", String.valueOf(r), "WORLD_SIZE", String.valueOf(nodes.length), "RINGFOLD_NODE", nodes[r],
                    "RINGFOLD_TIMEOUT_MS", String.valueOf(timeoutSeconds * 1000L)));
                ranks.add(pb.start());
            }
            final StringBuilder all = new StringBuilder();
            final StringBuilder failures = new StringBuilder();
            for (int r = 0; r < nodes.length; r++)
            {
                final boolean exited = ranks.get(r).waitFor(timeoutSeconds + 30L, TimeUnit.SECONDS);
                final String text = Files.readString(outputs.get(r));
                all.append(text);
                if (!exited || ranks.get(r).exitValue() != 0)
                {
                    // every failed rank's tail: the first to fail is often not rank 0, which only sees it leave
                    failures.append("rank ").append(r).append(exited ? " exited " + ranks.get(r).exitValue() :
                        " did not finish").append(":\n").append(text.length() > 4000 ?
                        text.substring(text.length() - 4000) : text).append('\n');
                }
            }
            assertEquals("", failures.toString());
            return all.toString();
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
}
