package dev.ringfold.hpctests.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code mpjrun --trace FILE}: every rank's collectives and point-to-point operations, merged into one Chrome
 * trace that a JSON parser reads, with the expected events on every rank and the ranks' clocks aligned (a barrier
 * ends on no rank before the last rank entered it).
 */
class TraceTest
{
    private static final int NP = 3;

    @ParameterizedTest(name = "dev={0}")
    @ValueSource(strings = {"shm", "tcp"})
    @Timeout(120)
    void mergedTraceHoldsEveryRanksOperationsOnOneClock(final String dev) throws Exception
    {
        final Path dir = Files.createTempDirectory("trace-test");
        final Path file = dir.resolve("job.json");
        final Mpjrun.Result r = Mpjrun.start(NP, dev, List.of(), List.of("--trace", file.toString()), 60,
            TraceRanks.class).await();
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("--trace: " + NP + " rank(s)"), r::toString);
        final JsonNode events = new ObjectMapper().readTree(file.toFile()).get("traceEvents");
        assertTrue(events.isArray() && !events.isEmpty(), "no traceEvents in " + file);
        for (int rank = 0; rank < NP; rank++)
        {
            final Set<String> names = new HashSet<>();
            for (final JsonNode e : events)
            {
                if (e.get("pid").asInt() == rank && e.get("ph").asText().equals("X"))
                {
                    names.add(e.get("name").asText());
                    assertTrue(e.get("ts").asDouble() >= 0 && e.get("dur").asDouble() >= 0, e::toString);
                    assertTrue(e.get("args").has("bytes"), e::toString);
                    if (e.get("name").asText().equals("send") || e.get("name").asText().equals("recv"))
                    {
                        final int peer = e.get("args").get("peer").asInt();
                        assertTrue(peer >= 0 && peer < NP && peer != rank, e::toString);
                    }
                }
            }
            assertTrue(names.containsAll(List.of("RecursiveDoublingAllReduce", "BinomialBroadcast",
                "DisseminationBarrier", "send", "recv")), "rank " + rank + " has " + names);
            // the large all-reduce: what the table picks for the placement (shared memory on one node; the ring
            // inside the hierarchical one over TCP)
            assertTrue(names.contains("SharedMemoryAllReduce") || names.contains("RingAllReduce"),
                "rank " + rank + " has " + names);
        }
        // the last barrier: rank 0 came late; nobody left it before rank 0 entered, and the others waited
        final double[] start = new double[NP];
        final double[] end = new double[NP];
        for (final JsonNode e : events)
        {
            if (e.get("ph").asText().equals("X") && e.get("name").asText().equals("DisseminationBarrier"))
            {
                final int rank = e.get("pid").asInt();
                if (e.get("ts").asDouble() >= start[rank])
                {
                    start[rank] = e.get("ts").asDouble();
                    end[rank] = start[rank] + e.get("dur").asDouble();
                }
            }
        }
        final List<String> seen = new ArrayList<>();
        for (int rank = 0; rank < NP; rank++)
        {
            seen.add("rank " + rank + " [" + start[rank] + ", " + end[rank] + "] us");
            // one millisecond of slack for the per-rank clock anchors
            assertTrue(end[rank] >= start[0] - 1_000, "rank " + rank + " left before rank 0 came: " + seen);
            if (rank != 0)
            {
                assertTrue(end[rank] - start[rank] >= TraceRanks.LATE_MS * 1_000 * 0.5,
                    "rank " + rank + " did not wait for rank 0: " + seen);
            }
        }
        System.out.println("trace: dev=" + dev + " " + events.size() + " events; last barrier " + seen);
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
    }
}
