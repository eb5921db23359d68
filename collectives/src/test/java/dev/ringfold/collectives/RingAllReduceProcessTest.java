package dev.ringfold.collectives;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Three real rank processes started by bin/mpjrun run {@link AllReduceCheck}; every rank must report the exact
 * expected sums for every count, and all ranks the same bits. Needs Ringfold's jars in build/lib (run 'make').
 */
class RingAllReduceProcessTest
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final int NP = 3;
    private static final Pattern OK = Pattern.compile("^\\[(\\d+)] ok (float|double) count=(\\d+) hash=(-?\\d+)$");

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void threeRanksGetExactSums(@TempDir final Path dir) throws Exception
    {
        requireLauncher();
        final Path out = dir.resolve("out.txt");
        // The test JVM's class path first (this module's current classes, the reactor's runtime, their
        // dependencies), so the ranks run the code under test rather than whatever build/lib last held.
        final Process process = new ProcessBuilder(
            ROOT.resolve("bin/mpjrun").toString(), "-np", Integer.toString(NP), "--timeout", "120",
            "-cp", testClassPath(), AllReduceCheck.class.getName())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
        try
        {
            if (!process.waitFor(140, TimeUnit.SECONDS))
            {
                fail("mpjrun did not finish within 140 s:\n" + Files.readString(out));
            }
            final String output = Files.readString(out);
            assertEquals(0, process.exitValue(), "mpjrun failed:\n" + output);
            final Map<String, String> hashByCase = new HashMap<>();
            final Map<String, Integer> ranksByCase = new HashMap<>();
            for (final String line : output.split("\n"))
            {
                final Matcher m = OK.matcher(line);
                if (m.matches())
                {
                    final String key = m.group(2) + " count=" + m.group(3);
                    final String previous = hashByCase.putIfAbsent(key, m.group(4));
                    assertTrue(previous == null || previous.equals(m.group(4)),
                        "ranks disagree on the bits of " + key + ":\n" + output);
                    ranksByCase.merge(key, 1, Integer::sum);
                }
            }
            for (final String type : new String[] {"float", "double"})
            {
                for (final int count : AllReduceCheck.COUNTS)
                {
                    assertEquals(NP, ranksByCase.getOrDefault(type + " count=" + count, 0),
                        "ranks reporting " + type + " count=" + count + " ok:\n" + output);
                }
            }
        }
        finally
        {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    /** Skips, saying why, when the launcher cannot run: it needs Ringfold's jars in build/lib. */
    static void requireLauncher() throws IOException
    {
        final Path lib = ROOT.resolve("build/lib");
        final boolean hasJars;
        if (Files.isDirectory(lib))
        {
            try (var files = Files.list(lib))
            {
                hasJars = files.anyMatch(f -> f.getFileName().toString().endsWith(".jar"));
            }
        }
        else
        {
            hasJars = false;
        }
        assumeTrue(hasJars, "skipped: " + lib + " has no jars, so bin/mpjrun cannot start; run 'make' (or " +
            "'make build') at the repository root first");
        assumeTrue(Files.isExecutable(ROOT.resolve("bin/mpjrun")), "skipped: " + ROOT.resolve("bin/mpjrun") + " is missing");
    }

    static String testClassPath()
    {
        final List<String> entries = new ArrayList<>();
        for (final String entry : System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
            .split(File.pathSeparator))
        {
            if (!entry.isEmpty())
            {
                entries.add(Path.of(entry).toAbsolutePath().toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
