package dev.ringfold.bench;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs {@code bin/ringfold-bench latency -np 2 --sizes 8,64K --iters 200 --json}, off-heap and with
 * {@code --heap}, as a user would, with this module's freshly compiled classes first on the ranks' class path, and
 * checks the output's form (never its timings): exactly one JSON line per size, the documented fields, positive
 * numbers, exit status 0 (so every message's payload check passed).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BenchProcessTest
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern LINE = Pattern.compile(
        "\\{\"op\":\"([a-z]+)\",\"np\":(\\d+),\"dev\":\"(shm|tcp)\",\"bytes\":(\\d+)," +
        "\"usec\":(\\d+(?:\\.\\d+)?),\"gbps\":(\\d+(?:\\.\\d+)?)}");

    @ParameterizedTest(name = "heap={0}")
    @ValueSource(booleans = {false, true})
    void latencyJsonRunPrintsOneCheckedLinePerSize(final boolean heap) throws Exception
    {
        final Path lib = ROOT.resolve("build/lib");
        Assumptions.assumeTrue(hasJars(lib), "no jars in " + lib + ": run 'make build' at the repository root " +
            "first; skipping the end-to-end run of bin/ringfold-bench");
        final Path out = Files.createTempFile("ringfold-bench", ".out");
        final Path err = Files.createTempFile("ringfold-bench", ".err");
        try
        {
            final List<String> command = new java.util.ArrayList<>(List.of(ROOT.resolve("bin/ringfold-bench").toString(),
                "latency", "-np", "2", "--sizes", "8,64K", "--iters", "200", "--json"));
            if (heap)
            {
                command.add("--heap");
            }
            final ProcessBuilder pb = new ProcessBuilder(command)
                .directory(ROOT.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().put("RINGFOLD_BENCH_CP", Path.of("target", "classes").toAbsolutePath().toString());
            pb.environment().put("RINGFOLD_BENCH_TIMEOUT", "150");
            final Process p = pb.start();
            if (!p.waitFor(170, TimeUnit.SECONDS))
            {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                fail("ringfold-bench did not finish in 170 s; stderr:\n" + Files.readString(err));
            }
            final List<String> lines = Files.readAllLines(out);
            final String context = "stdout:\n" + String.join("\n", lines) + "\nstderr:\n" + Files.readString(err);
            assertEquals(0, p.exitValue(), context);
            assertEquals(2, lines.size(), context);
            final long[] sizes = {8, 64 * 1024};
            for (int i = 0; i < 2; i++)
            {
                final Matcher m = LINE.matcher(lines.get(i));
                assertTrue(m.matches(), "not a JSON line with op, np, dev, bytes, usec, gbps: " + lines.get(i));
                assertEquals("latency", m.group(1));
                assertEquals(2, Integer.parseInt(m.group(2)));
                assertEquals(sizes[i], Long.parseLong(m.group(4)));
                final double usec = Double.parseDouble(m.group(5));
                final double gbps = Double.parseDouble(m.group(6));
                assertTrue(usec > 0 && gbps > 0, lines.get(i));
                // the two numbers describe the same median: gbps = bytes / usec / 1000, up to the printed digits
                assertEquals(sizes[i] / usec / 1000.0, gbps, 0.01 * gbps + 1e-3, lines.get(i));
            }
        }
        finally
        {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static boolean hasJars(final Path lib) throws IOException
    {
        if (!Files.isDirectory(lib))
        {
            return false;
        }
        try (var files = Files.list(lib))
        {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".jar"));
        }
    }
}
