package dev.ringfold.bench;

/**
 * One operation of {@link OsuBench} ("latency", "bw", "soak", ...). Every rank of the job makes its own instance and
 * calls it in the same order, all ranks together: {@link #setUp} once, then the operation's own runs (a
 * {@link SizedOp} once per size; the {@link SoakOp} once for its whole duration). Implementations time on rank 0,
 * check every message they receive (a stamp per iteration at least) and count mismatches through
 * {@link BenchContext#verdict}, so that a run cannot be fast and wrong.
 */
public sealed interface BenchOp permits SizedOp, SoakOp
{
    /** The name on the command line. */
    String name();

    /** One line for the usage text. */
    String summary();

    /** The fewest ranks the operation can run with. */
    default int minRanks()
    {
        return 2;
    }

    /** Sizes used when {@code --sizes} is not given. */
    default String defaultSizes()
    {
        return "8,1K,64K,1M,16M";
    }

    /** Allocates what the sizes need (off-heap buffers, requests), up to {@code maxBytes} per message. */
    void setUp(BenchContext ctx, int maxBytes);

    /** Gives back what {@link #setUp} took that outlives the JVM's own clean-up (node-shared tensors). */
    default void close()
    {
    }
}
