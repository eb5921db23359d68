package dev.ringfold.mpi;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

final class RingfoldLogTest
{
    @Test
    void levelsByName()
    {
        assertEquals(Level.OFF, RingfoldLog.level("off"));
        assertEquals(Level.SEVERE, RingfoldLog.level("error"));
        assertEquals(Level.WARNING, RingfoldLog.level(" WARNING "));
        assertEquals(Level.INFO, RingfoldLog.level("Info"));
        assertEquals(Level.FINE, RingfoldLog.level("debug"));
        assertEquals(Level.FINER, RingfoldLog.level("trace"));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> RingfoldLog.level("loud"));
        assertEquals("RINGFOLD_LOG_LEVEL='loud': use off, error, warning, info, debug, trace or all", ex.getMessage());
    }

    @Test
    void recordsAtTheLevelGoToStderrAsOneLine()
    {
        final PrintStream stderr = System.err;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try
        {
            final System.Logger log = RingfoldLog.logger(RingfoldLogTest.class);
            RingfoldLog.configure(Map.of(RingfoldLog.VARIABLE, "info"), "3");
            log.log(System.Logger.Level.INFO, "shown");
            log.log(System.Logger.Level.DEBUG, "hidden");
            RingfoldLog.configure(Map.of(), "3"); // the default: warnings and errors only
            log.log(System.Logger.Level.INFO, "quiet by default");
            log.log(System.Logger.Level.WARNING, "a warning");
        }
        finally
        {
            System.setErr(stderr);
        }
        final String out = captured.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("ringfold[3] INFO RingfoldLogTest: shown" + System.lineSeparator()), out);
        assertTrue(out.contains("ringfold[3] WARNING RingfoldLogTest: a warning"), out);
        assertFalse(out.contains("hidden"), out);
        assertFalse(out.contains("quiet by default"), out);
    }

    @Test
    void arrowsRecordsFollowTheLevelWhenJavaUtilLoggingStartsLater() throws Exception
    {
        final String warned = run("warning");
        assertTrue(warned.contains("ringfold[5] WARNING BaseAllocator: arrow warning" + System.lineSeparator()), warned);
        assertTrue(warned.contains("ringfold[5] WARNING ArrowLogProgram: ringfold warning"), warned);
        assertFalse(warned.contains("arrow info"), warned);

        final String informed = run("info");
        assertTrue(informed.contains("ringfold[5] INFO BaseAllocator: arrow info"), informed);

        final String quiet = run("error");
        assertFalse(quiet.contains("arrow"), quiet);
        assertFalse(quiet.contains("ringfold warning"), quiet);
    }

    @Test
    void aProgramThatStartedJavaUtilLoggingFirstKeepsItsSetUpForArrow() throws Exception
    {
        final String out = run("error", "before");
        // the JDK's own format and level (INFO): Ringfold did not take over a logging the program had started
        assertTrue(out.contains("WARNING: arrow warning"), out);
        assertTrue(out.contains("INFO: arrow info"), out);
        assertFalse(out.contains("ringfold warning"), out);
    }

    /** Runs {@link ArrowLogProgram} in a JVM of its own: java.util.logging starts once per JVM. */
    private static String run(final String... args) throws IOException, InterruptedException
    {
        final List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
            .toString(), "-cp", System.getProperty("java.class.path"), ArrowLogProgram.class.getName()));
        cmd.addAll(List.of(args));
        final Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), output);
        assertEquals(0, process.exitValue(), output);
        return output;
    }
}
