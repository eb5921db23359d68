package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Request;

/**
 * Broadcast down a binomial tree rooted at {@code root}: log2(n) rounds; every rank receives once from its parent
 * and forwards to its children. Best for small messages.
 */
final class BinomialBroadcast extends BroadcastOperation
{
    private final Request in = new Request();
    private Request[] outs = requests(1);
    private int sent;
    private boolean received;

    BinomialBroadcast(final Communicator comm)
    {
        super(comm);
    }

    @Override
    public String describe()
    {
        return describe("binomial");
    }

    private int virtualRank()
    {
        return Blocks.mod(rank - root, size);
    }

    @Override
    void begin()
    {
        sent = 0;
        final int vr = virtualRank();
        if (vr == 0)
        {
            received = true;
            forward();
            return;
        }
        final int parent = Blocks.mod(vr - Integer.lowestOneBit(vr) + root, size);
        recv(address, bytes, parent, in);
        received = false;
    }

    /** Children are vr + 2^k for every 2^k below vr's lowest set bit (all of them for the root). */
    private void forward()
    {
        final int vr = virtualRank();
        final int limit = vr == 0 ? Integer.highestOneBit(Math.max(1, size - 1)) << 1 : Integer.lowestOneBit(vr);
        int children = 0;
        for (int m = 1; m < limit; m <<= 1)
        {
            if (vr + m < size)
            {
                children++;
            }
        }
        if (outs.length < children)
        {
            outs = requests(children);
        }
        for (int m = limit >> 1; m >= 1; m >>= 1) // farthest child first: it has the most forwarding to do
        {
            if (vr + m < size)
            {
                send(address, bytes, Blocks.mod(vr + m + root, size), outs[sent++]);
            }
        }
    }

    @Override
    int advance()
    {
        if (!received)
        {
            if (!finished(in))
            {
                return 0;
            }
            received = true;
            forward();
        }
        for (int i = 0; i < sent; i++)
        {
            if (!finished(outs[i]))
            {
                return 0;
            }
        }
        done();
        return 1;
    }
}
