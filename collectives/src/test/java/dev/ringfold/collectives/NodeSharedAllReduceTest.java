package dev.ringfold.collectives;

import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** All-reduce in place over node-shared tensors, on real ranks ({@link NodeSharedRanks}, {@link NodeSharedDeathRanks}). */
class NodeSharedAllReduceTest
{
    @ParameterizedTest(name = "np={0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6})
    @Timeout(500)
    void inPlaceOverNodeSharedTensorsMatchesTheReference(final int np) throws Exception
    {
        // calls checked on the odd runs: the check wraps the same algorithm
        final String text = Mpjrun.run(np, "shm", List.of("RINGFOLD_CHECK_COLLECTIVES=" + (np % 2)), 450,
            NodeSharedRanks.class).assertSucceeded();
        for (final String section : new String[] {"ok node-shared world rank", "ok node-shared split rank",
            "ok same bits rank", "ok mixed rank", "ok broadcast rank",
            "ok reduce-scatter all-gather rank", "ok steady state rank", "ok closed rank"})
        {
            assertEquals(np, Mpjrun.count(text, section), section + "\n" + text);
        }
    }

    @Test
    @Timeout(200)
    void aRankThatDiesMidCallIsNamedAndNothingIsLeftInDevShm() throws Exception
    {
        try (Mpjrun.Running run = Mpjrun.start(3, "shm", List.of(), List.of(), 150, NodeSharedDeathRanks.class))
        {
            final String text = run.await().output();
            assertEquals(4, Mpjrun.count(text, "ok in-place peer death rank"), text);
            final String job = text.lines().filter(l -> l.contains("job ")).findFirst().orElseThrow()
                .replaceAll(".*job ", "").trim();
            try (var files = Files.list(Path.of("/dev/shm")))
            {
                assertEquals(List.of(), files.map(f -> f.getFileName().toString())
                    .filter(f -> f.startsWith("ringfold-" + job + "-")).toList(), "left in /dev/shm");
            }
        }
    }
}
