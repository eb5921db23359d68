package dev.ringfold.mpi;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RINGFOLD_IDLE=auto: spin long on a quiet node, back off early where other work keeps the CPUs busy. */
class RuntimeSettingsIdleTest
{
    private static final int CPUS = Runtime.getRuntime().availableProcessors();

    @Test
    void readsTheOneMinuteLoadAverage(@TempDir final Path dir) throws Exception
    {
        final Path file = Files.writeString(dir.resolve("loadavg"), "27.74 24.05 25.03 31/812 123456\n");
        assertEquals(27.74, RuntimeSettings.loadAverage(file));
        assertEquals(0.0, RuntimeSettings.loadAverage(dir.resolve("missing")));
        assertEquals(0.0, RuntimeSettings.loadAverage(Files.writeString(dir.resolve("bad"), "busy")));
    }

    @Test
    void autoBacksOffEarlyOnlyWhenTheLoadExceedsCpusPlusOwnRanks()
    {
        final RuntimeSettings quiet = withLoad(CPUS + 1.0, 1);
        final RuntimeSettings busy = withLoad(CPUS + 1.5, 1);
        assertFalse(quiet.loaded(), "a load our own ranks could explain");
        assertTrue(busy.loaded());
        assertTrue(spins(quiet) > spins(busy), quiet.idleStrategy() + " vs " + busy.idleStrategy());
    }

    private static RuntimeSettings withLoad(final double load, final int localRanks)
    {
        final RuntimeSettings s = RuntimeSettings.from(Map.of());
        return new RuntimeSettings(s.eagerLimit(), s.fragmentBytes(), s.ringBytes(), s.shmDir(), s.crossMemory(),
            s.cooperativeCopyMin(), s.idle(), s.timeoutNs(), s.stallNs(), s.bootstrapTimeoutMs(), s.tcpHost(),
            s.nodeOverride(), localRanks, load);
    }

    /** BackoffIdleStrategy's spin budget, from its description ("maxSpins=N"). */
    private static long spins(final RuntimeSettings settings)
    {
        final String text = settings.idleStrategy().toString();
        assertTrue(settings.idleStrategy() instanceof BackoffIdleStrategy, text);
        final int at = text.indexOf("maxSpins=") + "maxSpins=".length();
        int end = at;
        while (end < text.length() && Character.isDigit(text.charAt(end)))
        {
            end++;
        }
        return Long.parseLong(text.substring(at, end));
    }
}
