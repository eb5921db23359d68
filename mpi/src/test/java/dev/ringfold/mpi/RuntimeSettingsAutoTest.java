package dev.ringfold.mpi;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The settings that follow the node: RINGFOLD_IDLE=auto spins long on a quiet node and backs off early where other
 * work keeps the CPUs busy; RINGFOLD_CMA=auto streams large messages where each rank has a core and pulls them
 * with cross-memory attach where ranks outnumber cores or the node is loaded.
 */
class RuntimeSettingsAutoTest
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

    @Test
    void aBroadcastIsCopiedTogetherFromOneMebibyteEvenOversubscribedUnlikePointToPoint()
    {
        assertEquals(1 << 20, withLoad(0.5, 1).cooperativeBroadcastFrom());
        assertEquals(1 << 20, withLoad(0.5, CPUS + 1).cooperativeBroadcastFrom(), "more ranks than cores");
        assertEquals(Long.MAX_VALUE, withLoad(0.5, CPUS + 1).cooperativeCopyFrom(), "point-to-point: off there");
        assertEquals(65536, withLoad(Map.of("RINGFOLD_CMA_SPLIT_MIN", "65536"), 0.5, CPUS + 1)
            .cooperativeBroadcastFrom());
    }

    @Test
    void crossMemoryAutoPullsOnlyWhereRanksWouldWaitForTimeSlices()
    {
        assertFalse(withLoad(0.5, 1).pullsWithCrossMemory(), "a core per rank: stream");
        assertTrue(withLoad(0.5, CPUS + 1).pullsWithCrossMemory(), "more ranks than cores");
        assertTrue(withLoad(CPUS + 1.5, 1).pullsWithCrossMemory(), "cores busy with other work");
        assertTrue(withLoad(Map.of("RINGFOLD_CMA", "1"), 0.5, 1).pullsWithCrossMemory());
        assertFalse(withLoad(Map.of("RINGFOLD_CMA", "0"), CPUS + 1.5, CPUS + 1).pullsWithCrossMemory());
        assertFalse(withLoad(Map.of("RINGFOLD_CMA", "auto"), 0.5, 1).pullsWithCrossMemory());
        final IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
            () -> RuntimeSettings.from(Map.of("RINGFOLD_CMA", "2")));
        assertEquals("RINGFOLD_CMA='2' is not one of auto, 0, 1", bad.getMessage());
    }

    /** The collectives' knobs are read here too, once, and bad values name their variable at start-up. */
    @Test
    void collectivesKnobsAreReadOnceAndCheckedAtStart()
    {
        final RuntimeSettings.Collectives none = RuntimeSettings.from(Map.of()).collectives();
        assertEquals(new RuntimeSettings.Collectives(false, true, 0, "AUTO", "AUTO"), none);
        final RuntimeSettings.Collectives set = RuntimeSettings.from(Map.of("RINGFOLD_CHECK_COLLECTIVES", "1",
            "RINGFOLD_COLLECTIVE_STAMPS", "0", "RINGFOLD_SHM_CHUNK_BYTES", "65536", "RINGFOLD_ALLREDUCE_ALGORITHM", "ring",
            "RINGFOLD_BROADCAST_ALGORITHM", " chain ")).collectives();
        assertEquals(new RuntimeSettings.Collectives(true, false, 65536, "RING", "CHAIN"), set);
        assertEquals("RINGFOLD_COLLECTIVE_STAMPS=2 is outside [0, 1]", assertThrows(IllegalArgumentException.class,
            () -> RuntimeSettings.from(Map.of("RINGFOLD_COLLECTIVE_STAMPS", "2"))).getMessage());
        assertEquals("RINGFOLD_SHM_CHUNK_BYTES=4100 is not a multiple of 64", assertThrows(
            IllegalArgumentException.class,
            () -> RuntimeSettings.from(Map.of("RINGFOLD_SHM_CHUNK_BYTES", "4100"))).getMessage());
        assertEquals("RINGFOLD_SHM_CHUNK_BYTES=64 is outside [4096, 67108864]", assertThrows(
            IllegalArgumentException.class,
            () -> RuntimeSettings.from(Map.of("RINGFOLD_SHM_CHUNK_BYTES", "64"))).getMessage());
        assertEquals(Path.of("/dev/shm"), RuntimeSettings.from(Map.of("RINGFOLD_SHM_DIR", " ")).shmDir());
        assertEquals("job-7", RuntimeSettings.from(Map.of()).withJob("job-7").jobId());
    }

    /** What programs and node-shared tensors take from the settings instead of the environment. */
    @Test
    void restartAndNodeIdentityComeFromTheSettings()
    {
        assertEquals(0, RuntimeSettings.from(Map.of()).restart());
        assertEquals(2, RuntimeSettings.from(Map.of("RINGFOLD_RESTART", "2")).restart());
        assertEquals(2, RuntimeSettings.from(Map.of("RINGFOLD_RESTART", "2")).withJob("j").withLocalRanks(3).restart());
        assertEquals("RINGFOLD_RESTART='x' is not an integer", assertThrows(IllegalArgumentException.class,
            () -> RuntimeSettings.from(Map.of("RINGFOLD_RESTART", "x"))).getMessage());
        assertEquals("rack-7", RuntimeSettings.from(Map.of("RINGFOLD_NODE", " rack-7 ")).nodeIdentity());
        assertEquals(dev.ringfold.mpi.bootstrap.NodeIdentity.current(null),
            RuntimeSettings.from(Map.of()).nodeIdentity());
    }

    private static RuntimeSettings withLoad(final double load, final int localRanks)
    {
        return withLoad(Map.of(), load, localRanks);
    }

    private static RuntimeSettings withLoad(final Map<String, String> env, final double load, final int localRanks)
    {
        final RuntimeSettings s = RuntimeSettings.from(env);
        return new RuntimeSettings(s.eagerLimit(), s.fragmentBytes(), s.ringBytes(), s.shmDir(), s.crossMemory(),
            s.cooperativeCopyMin(), s.idle(), s.timeoutNs(), s.stallNs(), s.bootstrapTimeoutMs(), s.tcpHost(),
            s.nodeOverride(), localRanks, load, s.collectives(), s.jobId(), s.restart());
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
