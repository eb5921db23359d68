package dev.ringfold.bench;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import org.agrona.concurrent.UnsafeBuffer;

/** What an operation runs with: the world communicator, the options, and the job-wide correctness verdict. */
public final class BenchContext
{
    /** Tags at or above this are the harness's; operations use tags below it. */
    static final int HARNESS_TAG_BASE = 1 << 20;
    private static final int VERDICT_TAG = HARNESS_TAG_BASE;

    private final Ringfold ringfold;
    private final Communicator world;
    private final BenchOptions options;
    private final String dev;
    private final UnsafeBuffer verdictBuffer = Payload.allocate(Long.BYTES);

    public BenchContext(final Ringfold ringfold, final BenchOptions options)
    {
        this.ringfold = ringfold;
        this.world = ringfold.world();
        this.options = options;
        this.dev = world.size() > 1 ? world.transportTo(world.rank() == 0 ? 1 : 0) : "self";
    }

    /** The running job (what a NodeSharedAllocator is made for). */
    public Ringfold ringfold()
    {
        return ringfold;
    }

    public Communicator world()
    {
        return world;
    }

    public int rank()
    {
        return world.rank();
    }

    public int np()
    {
        return world.size();
    }

    public BenchOptions options()
    {
        return options;
    }

    /** The transport between ranks 0 and 1 as the runtime chose it: "shm" or "tcp". */
    public String dev()
    {
        return dev;
    }

    /**
     * Collective: adds up every rank's count of wrong payloads (at rank 0, which sends the sum back to all) and
     * throws {@link BenchFailure} on every rank when it is not zero.
     */
    public void verdict(final long bad, final String what)
    {
        long total = bad;
        if (rank() == 0)
        {
            for (int r = 1; r < np(); r++)
            {
                world.recv(verdictBuffer, 0, Long.BYTES, r, VERDICT_TAG);
                total += verdictBuffer.getLong(0);
            }
            verdictBuffer.putLong(0, total);
            for (int r = 1; r < np(); r++)
            {
                world.send(verdictBuffer, 0, Long.BYTES, r, VERDICT_TAG);
            }
        }
        else
        {
            verdictBuffer.putLong(0, bad);
            world.send(verdictBuffer, 0, Long.BYTES, 0, VERDICT_TAG);
            world.recv(verdictBuffer, 0, Long.BYTES, 0, VERDICT_TAG);
            total = verdictBuffer.getLong(0);
        }
        if (total != 0)
        {
            throw new BenchFailure(what + ": " + total + " wrong payload(s) across the job" +
                (bad != 0 ? " (" + bad + " seen on rank " + rank() + ")" : ""));
        }
    }
}
