package dev.ringfold.collectives;

import dev.ringfold.mpi.PeerFailedException;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import org.agrona.BufferUtil;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A rank dies during shared-memory collectives: the others' next all-reduce and broadcast through the node-shared
 * region fail with PeerFailedException naming it, instead of waiting for it forever. Also: once the region is set
 * up, no file of it is left in /dev/shm. Prints {@code ok region unlinked rank r} and {@code ok peer death rank r}.
 */
public final class PeerDeathRanks
{
    public static void main(final String[] args) throws IOException
    {
        try (Ringfold rf = Ringfold.init())
        {
            final int me = rf.world().rank();
            final int n = rf.world().size();
            final Collectives c = Collectives.of(rf.world()).forceAllReduce(Collectives.AllReduceAlgorithm.SHARED_MEMORY)
                .forceBroadcast(Collectives.BroadcastAlgorithm.SHARED_MEMORY);
            final long count = 1 << 20;
            final ByteBuffer buffer = BufferUtil.allocateDirectAligned((int)count * 4, 64);
            final long address = BufferUtil.address(buffer);
            c.allReduce(address, address, count, DType.F32, ReduceOp.SUM);
            try (var files = Files.list(Path.of("/dev/shm")))
            {
                final String job = System.getenv("RINGFOLD_JOB_ID");
                final long left = files.filter(p -> p.getFileName().toString().startsWith("ringfold-" + job + "-coll"))
                    .count();
                if (left != 0)
                {
                    throw new AssertionError("rank " + me + ": " + left + " collectives region files left in /dev/shm");
                }
            }
            System.out.println("ok region unlinked rank " + me);
            c.barrier();
            if (me == n - 1)
            {
                System.out.flush();
                Runtime.getRuntime().halt(0); // dies without a word: no BYE, no cleanup
            }
            for (int attempt = 0; attempt < 2; attempt++)
            {
                try
                {
                    if (attempt == 0)
                    {
                        c.allReduce(address, address, count, DType.F32, ReduceOp.SUM);
                    }
                    else
                    {
                        c.broadcast(address, count, DType.F32, 0);
                    }
                    throw new AssertionError("rank " + me + ": a collective with a dead rank completed");
                }
                catch (final PeerFailedException ex)
                {
                    if (ex.worldRank() != n - 1)
                    {
                        throw new AssertionError("rank " + me + ": blamed rank " + ex.worldRank(), ex);
                    }
                    System.out.println("ok peer death rank " + me + ": " + ex.getMessage());
                }
            }
        }
    }
}
