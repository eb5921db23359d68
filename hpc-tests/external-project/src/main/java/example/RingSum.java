package example;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.ReduceOp;

/** Passes each rank's number to its right neighbour, then sums the received numbers over all ranks. */
public final class RingSum
{
    private RingSum()
    {
    }

    public static void main(final String[] args)
    {
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator world = rf.world();
            final int rank = world.rank();
            final int size = world.size();
            final byte[] mine = {(byte) (rank + 1)};
            final byte[] fromLeft = new byte[1];
            world.sendRecv(mine, 0, 1, (rank + 1) % size, 5, fromLeft, 0, 1, (rank + size - 1) % size, 5);
            final double[] sum = {fromLeft[0]};
            Collectives.of(world).allReduce(sum, 0, 1, ReduceOp.SUM);
            System.out.println("rank " + rank + " of " + size + ": left sent " + fromLeft[0] + ", sum " + sum[0]);
        }
    }
}
