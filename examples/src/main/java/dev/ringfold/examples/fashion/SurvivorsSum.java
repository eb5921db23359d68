package dev.ringfold.examples.fashion;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.CommunicatorRevokedException;
import dev.ringfold.mpi.PeerFailedException;
import dev.ringfold.tensors.ReduceOp;

/**
 * The parameter-server trainer's sums over its workers (an epoch's loss and correct answers) that outlive a
 * worker's death, as the servers do: the workers sum over their communicator; where a member has died, the survivors
 * agree that the sum failed (some may have finished it, if the member died after its part), shrink the communicator
 * to themselves and sum again from their own values. A plain all-reduce would end every surviving worker at the
 * first epoch's end after a death (docs/reliability.md, "Parameter servers"). Closing closes what it shrank to.
 */
final class SurvivorsSum implements AutoCloseable
{
    private final Communicator workers;
    private Communicator survivors;

    SurvivorsSum(final Communicator workers)
    {
        this.workers = workers;
        this.survivors = workers;
    }

    /** Sums {@code values} in place over the workers alive; returns how many workers the sums cover. */
    int sum(final double[] values)
    {
        final double[] own = values.clone();
        while (true)
        {
            boolean summed;
            try
            {
                Collectives.of(survivors).allReduce(values, 0, values.length, ReduceOp.SUM);
                summed = true;
            }
            catch (final PeerFailedException | CommunicatorRevokedException ex)
            {
                survivors.revoke(); // wakes the members still waiting in the sum
                summed = false;
            }
            if (survivors.agree(summed ? 1 : 0) == 1)
            {
                return survivors.size();
            }
            final Communicator shrunk = survivors.shrink();
            close();
            survivors = shrunk;
            System.arraycopy(own, 0, values, 0, own.length);
        }
    }

    /** Whether this worker is the first of the workers alive (the one that reports). */
    boolean first()
    {
        return survivors.rank() == 0;
    }

    @Override
    public void close()
    {
        if (survivors != workers)
        {
            survivors.close();
        }
    }
}
