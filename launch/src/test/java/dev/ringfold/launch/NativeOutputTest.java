package dev.ringfold.launch;

import dev.ringfold.testsupport.LauncherProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Under -dev native, mpjrun passes on mpirun's stdout and stderr; where both go to one place (2>&1, a terminal)
 * every line must come out whole. A rank writes its lines in pieces, alternately to stdout and stderr; mpjrun
 * once copied the two streams byte by byte and mixed them within a line.
 */
class NativeOutputTest
{
    @TempDir
    Path tmp;

    @Test
    @Timeout(120)
    void stdoutAndStderrIntoOnePlaceKeepWholeLines()
    {
        assumeTrue(Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
            .anyMatch(d -> Files.isExecutable(Path.of(d, "mpirun"))), "-dev native needs Open MPI's mpirun on the PATH");
        final ByteArrayOutputStream merged = new ByteArrayOutputStream();
        final PrintStream both = new PrintStream(merged, true, StandardCharsets.UTF_8);
        // one rank: mpirun passes its two streams on separately, so any mixing is mpjrun's
        final int exit = MpjRun.run(new String[] {"-np", "1", "-dev", "native", "--no-tag-output", "-cp",
            LauncherProcess.testClassPath(), ChattyRank.class.getName()}, tmp, Map.of(), both, both);
        final String text = merged.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, text);
        final List<String> lines = text.lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
        int count = 0;
        for (final String line : lines)
        {
            if (line.equals("last line of 0 without newline"))
            {
                continue;
            }
            assertTrue(line.matches("rank 0 line \\d+ " + ChattyRank.FILL), "mixed line: " + line);
            count++;
        }
        assertEquals(ChattyRank.LINES, count, text);
    }
}
