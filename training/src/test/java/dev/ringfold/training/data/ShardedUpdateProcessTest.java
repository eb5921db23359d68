package dev.ringfold.training.data;

import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sharded update ({@link ShardedUpdate}) on real ranks of one node, through {@link ShardedRanks}: node-shared
 * parameters and gradients, each rank reducing and updating its slice of every parameter. The same parameters as
 * the sequential run on the whole global batch (within {@link DataParallelProcessTest#BOUND}), the same bits on
 * every rank, on 1 to 4 ranks (tensors of 98 and 40 elements: slices of unequal sizes), with plain SGD, momentum and
 * Adam, with micro-batches accumulated under {@code noSync}; no node-shared file left after every rank closed. That
 * its steps allocate nothing once warm is {@code ChecksRanks}' {@code allocation-sharded}.
 */
class ShardedUpdateProcessTest
{
    private static String run(final int np, final String... args) throws Exception
    {
        final String text = Mpjrun.run(np, "shm", List.of(), 240, ShardedRanks.class, args).assertSucceeded();
        assertEquals(np, Mpjrun.count(text, "ok sharded rank"), text);
        for (int r = 0; r < np; r++)
        {
            assertTrue(text.contains("sharded " + r + " " + (np > 1)), "rank " + r + " sharded iff np > 1:\n" + text);
        }
        return text;
    }

    private static void checkEquivalent(final int np, final String... args) throws Exception
    {
        final String text = run(np, args);
        for (int r = 0; r < np; r++)
        {
            final Matcher m = Pattern.compile("difference " + r + " (\\S+)").matcher(text);
            assertTrue(m.find(), text);
            final double difference = Double.parseDouble(m.group(1));
            System.out.printf("np=%d %s: rank %d relative difference to the sequential run %.3g%n", np,
                String.join(" ", args), r, difference);
            assertTrue(difference <= DataParallelProcessTest.BOUND, "np=" + np + " rank " + r + ": " + difference);
            assertTrue(text.contains("identical " + r + " true"), "every rank's parameters the same bits:\n" + text);
        }
    }

    @Test
    @Timeout(600)
    void momentumOnOneToFourRanksMatchesTheSequentialRun() throws Exception
    {
        for (int np = 1; np <= 4; np++)
        {
            checkEquivalent(np, "momentum", "12", "1");
        }
    }

    @Test
    @Timeout(600)
    void plainSgdAdamAndMicroBatches() throws Exception
    {
        checkEquivalent(3, "sgd", "12", "1");
        checkEquivalent(2, "adam", "12", "1");
        checkEquivalent(2, "momentum", "12", "2");
        checkEquivalent(3, "momentum", "12", "2");
    }
}
