package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Request;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.kernels.ReduceKernels;
import org.agrona.UnsafeApi;

/**
 * Ring all-reduce, bandwidth-optimal: a reduce-scatter (n-1 steps, each rank sends one block to its right
 * neighbour and reduces the block from its left into its own) then an all-gather (n-1 steps passing the finished
 * blocks on). Each rank sends 2(n-1)/n of the data. Blocks travel in chunks, and the next chunk is in flight
 * while the last one is reduced. Also serves as the reduce-scatter collective (the first half alone).
 *
 * <p>Reduction order, the same on every rank and every run for a given n: block k is finished on rank k as
 * {@code x[k] op (x[k-1] op (... op (x[k+2] op x[k+1])))}, indices mod n, then copied to everyone, so all ranks
 * hold the same bits. AVG divides the sum by n once, on the block's owner.
 */
final class RingAllReduce extends ReducingOperation implements AllReducer
{
    /**
     * 256 KiB. 1 MiB chunks were up to 1.3 GB/s busbw faster at 1–4 MiB (np = 2), but made the reduce kernel's
     * calls twice as long, and then the JIT's code for them sometimes allocated in steady state (4 runs in 10 of
     * AllReduceAllocationTest; none in 10 with 256 KiB).
     */
    static final long CHUNK_BYTES = 256 * 1024;

    private final Request[] recvs = requests(2);
    private Request[] sends = requests(4);
    private boolean scatterOnly;
    private int phase;
    private int step;
    private long chunkElements;
    /** This rank's own contribution: src, or the working-precision copy of it ({@code work}). */
    private long mine;
    private int recvChunks;
    private int recvPosted;
    private int recvDone;
    private int sendChunks;
    private int blockOfRecv;

    RingAllReduce(final Communicator comm)
    {
        super(comm);
    }

    /** All-reduce of {@code count} elements from src into dst (the same address for in place). */
    public ReducingOperation allReduce(final long src, final long dst, final long count, final DType dtype,
        final ReduceOp op)
    {
        this.scatterOnly = false;
        return set(src, dst, count, dtype, op);
    }

    /** Reduce-scatter: src holds n blocks of {@code blockCount}; block {@code rank} of the result goes to dst. */
    ReducingOperation reduceScatter(final long src, final long dst, final long blockCount, final DType dtype,
        final ReduceOp op)
    {
        this.scatterOnly = true;
        return set(src, dst, blockCount * size, dtype, op);
    }

    @Override
    public String describe()
    {
        return describe(scatterOnly ? "reduceScatter" : "allReduce", "ring") + ", phase " + phase + " step " + step;
    }

    @Override
    void begin()
    {
        working = Precision.working(dtype, op);
        final long bytes = count * working.bytes();
        final boolean ownCopy = scatterOnly || working != dtype;
        chunkElements = Math.max(1, CHUNK_BYTES / working.bytes());
        final long tmpBytes = 2 * chunkElements * working.bytes();
        final long base = scratch((ownCopy ? bytes : 0) + tmpBytes);
        tmp = base;
        if (ownCopy)
        {
            work = base + tmpBytes;
            Precision.load(dtype, working, work, src, count);
            mine = work;
        }
        else
        {
            // out of place, no copy of src first: the first step sends from src and every reduction reads this
            // rank's contribution from src and writes dst (each block is reduced here once), so dst is written
            // once instead of copied and then rewritten (16 MiB over TCP, np 2: the copy was 1.5 of 7.8 ms)
            work = dst;
            mine = src;
            if (src != dst && size == 1)
            {
                UnsafeApi.copyMemory(src, dst, bytes);
            }
        }
        phase = 0;
        step = 0;
        if (size == 1 || count == 0)
        {
            finishReduceScatter();
            done();
            return;
        }
        startReduceStep();
    }

    private long blockStart(final int block)
    {
        return Blocks.start(count, size, block);
    }

    private long blockLength(final int block)
    {
        return Blocks.length(count, size, block);
    }

    private int chunks(final long elements)
    {
        return (int)((elements + chunkElements - 1) / chunkElements);
    }

    private void startReduceStep()
    {
        final int right = Blocks.mod(rank + 1, size);
        final int blockToSend = Blocks.mod(rank - step - 1, size);
        blockOfRecv = Blocks.mod(rank - step - 2, size);
        final int es = working.bytes();
        sendChunks = chunks(blockLength(blockToSend));
        if (sends.length < sendChunks)
        {
            sends = requests(sendChunks);
        }
        // the first step passes on this rank's own block, later steps the block reduced in the step before
        final long from = step == 0 ? mine : work;
        for (int c = 0; c < sendChunks; c++)
        {
            final long first = blockStart(blockToSend) + c * chunkElements;
            final long n = Math.min(chunkElements, blockStart(blockToSend) + blockLength(blockToSend) - first);
            send(from + first * es, n * es, right, sends[c]);
        }
        recvChunks = chunks(blockLength(blockOfRecv));
        recvPosted = 0;
        recvDone = 0;
        while (recvPosted < Math.min(2, recvChunks))
        {
            postRecv();
        }
    }

    private void postRecv()
    {
        final int left = Blocks.mod(rank - 1, size);
        final int es = working.bytes();
        final long first = blockStart(blockOfRecv) + recvPosted * chunkElements;
        final long n = Math.min(chunkElements, blockStart(blockOfRecv) + blockLength(blockOfRecv) - first);
        recv(tmp + (recvPosted & 1) * chunkElements * es, n * es, left, recvs[recvPosted & 1]);
        recvPosted++;
    }

    @Override
    int advance()
    {
        int work = 0;
        if (phase == 0)
        {
            while (recvDone < recvChunks && finished(recvs[recvDone & 1]))
            {
                final int es = working.bytes();
                final long first = blockStart(blockOfRecv) + recvDone * chunkElements;
                final long n = Math.min(chunkElements, blockStart(blockOfRecv) + blockLength(blockOfRecv) - first);
                // the block's running value arrives from the left: ours first, then it (see the class comment)
                ReduceKernels.reduce(op, working, this.work + first * es, mine + first * es,
                    tmp + (recvDone & 1) * chunkElements * es, n);
                recvDone++;
                work++;
                if (recvPosted < recvChunks)
                {
                    postRecv();
                }
            }
            if (recvDone < recvChunks || !allFinished(sends, sendChunks))
            {
                return work;
            }
            if (++step < size - 1)
            {
                startReduceStep();
                return work + 1;
            }
            finishReduceScatter();
            if (scatterOnly)
            {
                done();
                return work + 1;
            }
            phase = 1;
            step = 0;
            startGatherStep();
            return work + 1;
        }
        if (!finished(recvs[0]) || !finished(sends[0]))
        {
            return work;
        }
        if (++step < size - 1)
        {
            startGatherStep();
            return 1;
        }
        done();
        return 1;
    }

    private boolean allFinished(final Request[] requests, final int n)
    {
        for (int i = 0; i < n; i++)
        {
            if (!finished(requests[i]))
            {
                return false;
            }
        }
        return true;
    }

    /** This rank's block is complete: average it, and bring it back to the caller's type and buffer. */
    private void finishReduceScatter()
    {
        final long first = blockStart(rank);
        final long n = blockLength(rank);
        // into the caller's buffer; the other blocks come back in the all-gather
        Precision.store(op, size, dtype, working, scatterOnly ? dst : dst + first * dtype.bytes(),
            work + first * working.bytes(), n);
    }

    private void startGatherStep()
    {
        final int right = Blocks.mod(rank + 1, size);
        final int left = Blocks.mod(rank - 1, size);
        final int out = Blocks.mod(rank - step, size);
        final int in = Blocks.mod(rank - step - 1, size);
        final int es = dtype.bytes();
        recv(dst + blockStart(in) * es, blockLength(in) * es, left, recvs[0]);
        send(dst + blockStart(out) * es, blockLength(out) * es, right, sends[0]);
    }
}
