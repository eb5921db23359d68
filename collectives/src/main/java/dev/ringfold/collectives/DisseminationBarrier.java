package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Request;

/** Barrier by dissemination: in round k each rank signals rank + 2^k and waits for rank - 2^k; ceil(log2 n) rounds. */
final class DisseminationBarrier extends Operation
{
    private final Request in = new Request();
    private final Request out = new Request();
    private int distance;

    DisseminationBarrier(final Communicator comm)
    {
        super(comm);
    }

    @Override
    public String describe()
    {
        return "barrier (dissemination) on " + comm.name() + ", distance " + distance;
    }

    @Override
    void begin()
    {
        distance = 1;
        if (size == 1)
        {
            done();
            return;
        }
        post();
    }

    private void post()
    {
        recv(0, 0, Blocks.mod(rank - distance, size), in);
        send(0, 0, Blocks.mod(rank + distance, size), out);
    }

    @Override
    int advance()
    {
        if (!finished(in) || !finished(out))
        {
            return 0;
        }
        distance <<= 1;
        if (distance < size)
        {
            post();
            return 1;
        }
        done();
        return 1;
    }
}
