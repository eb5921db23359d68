package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Request;

/**
 * A reduction in which a rank takes in partial results one receive at a time (into {@code tmp}) and ends with at
 * most one send of its own result: binomial reduce (children, then the parent) and linear scan (the left
 * neighbour, then the right). It runs the receive-or-send bookkeeping; the algorithm says what comes next.
 */
abstract class RelayReduction extends ReducingOperation
{
    private final Request in = new Request();
    private final Request out = new Request();
    private boolean sending;

    RelayReduction(final Communicator comm)
    {
        super(comm);
    }

    @Override
    final void begin()
    {
        loadOperand();
        sending = false;
        start();
    }

    /** The first step, once this rank's operand is in {@code work}. */
    abstract void start();

    /** Runs when the receive posted by {@link #receive} has arrived in {@code tmp}. */
    abstract void received();

    final void receive(final int source)
    {
        recv(tmp, bytes, source, in);
    }

    /** This rank's last step: the operation is done once the send has finished. */
    final void sendAndEnd(final long address, final int dest)
    {
        send(address, bytes, dest, out);
        sending = true;
    }

    @Override
    final int advance()
    {
        if (sending)
        {
            if (!finished(out))
            {
                return 0;
            }
            done();
            return 1;
        }
        if (!finished(in))
        {
            return 0;
        }
        received();
        return 1;
    }
}
