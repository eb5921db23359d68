package dev.ringfold.training.data;

import dev.ringfold.testsupport.Mpjrun;
import dev.ringfold.testsupport.SimulatedNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data parallelism on real ranks: the same global batch on 1, 2 and 4 ranks gives the same parameters, the same run
 * twice the same bits, the synchronous parameter server the all-reduce's parameters, and the asynchronous one keeps
 * its staleness bound.
 */
class DataParallelProcessTest
{
    /** The bound the equivalence proofs hold the runs to: max |a - b| over max |a|, over all parameters. */
    static final double BOUND = 1e-5;

    static float[] parameters(final String output)
    {
        final Matcher m = Pattern.compile("params ([0-9a-f,]+)").matcher(output);
        assertTrue(m.find(), output);
        final String[] hex = m.group(1).split(",");
        final float[] p = new float[hex.length];
        for (int i = 0; i < hex.length; i++)
        {
            p[i] = Float.intBitsToFloat(Integer.parseUnsignedInt(hex[i], 16));
        }
        return p;
    }

    static String bits(final String output)
    {
        final Matcher m = Pattern.compile("params ([0-9a-f,]+)").matcher(output);
        assertTrue(m.find(), output);
        return m.group(1);
    }

    static double relativeDifference(final float[] a, final float[] b)
    {
        assertEquals(a.length, b.length);
        return TinyClassifier.relativeDifference(a, b);
    }

    /** {@code other} is {@code reference} within {@link #BOUND}; the difference is printed, named {@code what}. */
    private static void assertWithinBound(final String what, final float[] reference, final float[] other)
    {
        final double difference = relativeDifference(reference, other);
        System.out.printf("%s: relative difference %.3g (bound %.0e)%n", what, difference, BOUND);
        assertTrue(difference <= BOUND, what + ": " + difference);
    }

    private static String train(final int np, final String... args) throws Exception
    {
        final String text = Mpjrun.run(np, "shm", List.of(), 240, TrainingRanks.class, args).assertSucceeded();
        assertEquals(np, Mpjrun.count(text, "ok train rank"), text);
        return text;
    }

    @Test
    @Timeout(900)
    void sameGlobalBatchGivesTheSameParametersOnAnyNumberOfRanks() throws Exception
    {
        final float[] one = parameters(train(1, "all_reduce", "16", "1"));
        final String twoText = train(2, "all_reduce", "16", "1");
        final float[] two = parameters(twoText);
        final float[] four = parameters(train(4, "all_reduce", "16", "1"));
        assertWithinBound("all-reduce, one epoch, global batch 16, np=1 vs np=2", one, two);
        assertWithinBound("all-reduce, one epoch, global batch 16, np=1 vs np=4", one, four);
        assertTrue(!Arrays.equals(one, new float[one.length]), "parameters are not all zero");
        assertEquals(bits(twoText), bits(train(2, "all_reduce", "16", "1")), "np=2 twice: bit-identical");
        final String tcp = Mpjrun.run(2, "tcp", List.of(), 240, TrainingRanks.class, "all_reduce", "16", "1").assertSucceeded();
        assertEquals(bits(twoText), bits(tcp), "np=2 over TCP: the same bits as over shared memory");
    }

    /**
     * Buckets of the shared-memory all-reduce's sizes (the wide model): node-shared on one node, so every rank
     * reduces its slice in place from every rank's bucket, averaging in the same pass. Equal to the sequential run
     * within the bound on 2 and 4 ranks, and bit for bit the private buckets' run (staged through the node region)
     * and the run whose update reads the averages in the buckets (updateInBuckets: nothing copied back).
     */
    @Test
    @Timeout(900)
    void nodeSharedBucketsGiveTheSequentialRunsParameters() throws Exception
    {
        final String oneText = train(1, "all_reduce", "16", "1", "wide");
        assertTrue(oneText.contains("buckets private"), "one rank has nobody to share with\n" + oneText);
        final float[] one = parameters(oneText);
        final String twoText = train(2, "all_reduce", "16", "1", "wide");
        assertTrue(twoText.contains("buckets node-shared 3"), twoText);
        final String privateText = train(2, "all_reduce", "16", "1", "wide", "private");
        assertTrue(privateText.contains("buckets private 3"), privateText);
        final String fourText = train(4, "all_reduce", "16", "1", "wide");
        final String inBucketsText = train(2, "all_reduce", "16", "1", "wide", "inbuckets");
        assertTrue(fourText.contains("buckets node-shared 3"), fourText);
        assertWithinBound("node-shared buckets, one epoch, global batch 16, np=1 vs np=2", one, parameters(twoText));
        assertWithinBound("node-shared buckets, one epoch, global batch 16, np=1 vs np=4", one, parameters(fourText));
        assertTrue(!Arrays.equals(one, new float[one.length]), "parameters are not all zero");
        assertEquals(bits(privateText), bits(twoText), "node-shared and private buckets: bit-identical");
        assertEquals(bits(twoText), bits(inBucketsText), "the update reading the buckets: bit-identical");
    }

    /**
     * Two nodes of two ranks (RINGFOLD_NODE, TCP between them): the buckets are private and the table's hierarchical
     * all-reduce averages them; the same parameters as one rank within the bound.
     */
    @Test
    @Timeout(600)
    void acrossNodesTheBucketsArePrivateAndReducedHierarchically() throws Exception
    {
        final float[] one = parameters(train(1, "all_reduce", "16", "1", "wide"));
        final String text = SimulatedNodes.run(new String[] {"a", "a", "b", "b"}, 240, TrainingRanks.class,
            "all_reduce", "16", "1", "wide");
        assertEquals(4, Mpjrun.count(text, "ok train rank"), text);
        assertTrue(text.contains("buckets private 3"), text);
        assertWithinBound("two nodes of two ranks, hierarchical, np=1 vs 2 x 2 ranks", one, parameters(text));
    }

    @Test
    @Timeout(900)
    void synchronousParameterServerMatchesAllReduce() throws Exception
    {
        final float[] allReduce = parameters(train(2, "all_reduce", "16", "1"));
        final String oneServerText = train(3, "parameter_server", "16", "1", "1");
        final float[] oneServer = parameters(oneServerText);
        final float[] twoServers = parameters(train(4, "parameter_server", "16", "1", "2"));
        assertWithinBound("parameter server vs all-reduce, 2 workers, one epoch, 1 server", allReduce, oneServer);
        assertWithinBound("parameter server vs all-reduce, 2 workers, one epoch, 2 servers", allReduce, twoServers);
        assertEquals(1, Mpjrun.count(oneServerText, "updates 30 maxLead 0"), oneServerText);
        // three workers: the server sums (a + b) + c, the ring another way; global batch 24
        final float[] ring3 = parameters(train(3, "all_reduce", "24", "1"));
        final float[] server3 = parameters(train(4, "parameter_server", "24", "1", "1"));
        assertWithinBound("parameter server vs all-reduce, 3 workers, one epoch", ring3, server3);
    }

    @Test
    @Timeout(600)
    void asynchronousParameterServerKeepsItsStalenessBound() throws Exception
    {
        // worker 0 waits for worker 1 to be 2 steps ahead before each of its steps: worker 1 runs ahead until
        // the bound holds it (no timing involved)
        final String text = train(3, "async_parameter_server", "16", "1", "1", "2", "gate");
        final Matcher m = Pattern.compile("updates (\\d+) maxLead (\\d+)").matcher(text);
        assertTrue(m.find(), text);
        System.out.println("async parameter server, staleness 2: " + m.group());
        assertEquals(60, Integer.parseInt(m.group(1)), "one update per push: 2 workers x 30 steps\n" + text);
        assertEquals(2, Integer.parseInt(m.group(2)), "the fast worker reached the bound and no further\n" + text);
    }
}
