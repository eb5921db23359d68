package dev.ringfold.collectives;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import org.agrona.UnsafeApi;

/**
 * What the rank programs of the collectives' process tests share: a check that names the rank it failed on (the
 * launcher's output interleaves the ranks), a pause that keeps the interrupt, and a small all-reduce that shows the
 * communicator still works after a call failed.
 */
final class RankChecks
{
    private RankChecks()
    {
    }

    static void check(final int rank, final boolean ok, final String what)
    {
        if (!ok)
        {
            throw new AssertionError("rank " + rank + ": " + what);
        }
    }

    static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** Every rank all-reduces {@code rank + i} into the 8 ints at {@code buf} and checks each sum over the n ranks. */
    static void sumOfRanks(final Collectives c, final long buf, final int rank, final int n)
    {
        for (int i = 0; i < 8; i++)
        {
            UnsafeApi.putInt(buf + 4L * i, rank + i);
        }
        c.allReduce(buf, buf, 8, DType.I32, ReduceOp.SUM);
        for (int i = 0; i < 8; i++)
        {
            check(rank, UnsafeApi.getInt(buf + 4L * i) == n * (n - 1) / 2 + n * i, "allReduce result at " + i);
        }
    }
}
