package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Request;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.kernels.ReduceKernels;
import org.agrona.UnsafeApi;

/**
 * Recursive doubling, latency-optimal for small messages: log2(p) rounds in which partners exchange everything
 * they have. With n not a power of two, the first 2(n-p) ranks pair up first (odd into even), and the odd ones get
 * the result back at the end.
 *
 * <p>Reduction order: in every combination the operand from the lower-numbered group comes first, so partners
 * compute the same bits, and the result is the same on every rank and every run for a given n.
 */
final class RecursiveDoublingAllReduce extends ReducingOperation implements AllReducer
{
    private final Request out = new Request();
    private final Request in = new Request();
    private int extra;
    private int pow2;
    private int virtualRank;
    private int mask;
    private int stage;

    RecursiveDoublingAllReduce(final Communicator comm)
    {
        super(comm);
    }

    public ReducingOperation allReduce(final long src, final long dst, final long count, final DType dtype,
        final ReduceOp op)
    {
        return set(src, dst, count, dtype, op);
    }

    @Override
    public String describe()
    {
        return describe("allReduce", "recursive doubling") + ", stage " + stage + " mask " + mask;
    }

    private int realRank(final int virtual)
    {
        return virtual < extra ? virtual * 2 : virtual + extra;
    }

    @Override
    void begin()
    {
        loadOperand();
        pow2 = Integer.highestOneBit(size);
        extra = size - pow2;
        mask = 1;
        if (size == 1 || count == 0)
        {
            finish();
            return;
        }
        if (rank < 2 * extra)
        {
            if ((rank & 1) == 1)
            {
                send(work, bytes, rank - 1, out);          // fold into the even neighbour,
                recv(tmp, bytes, rank - 1, in);            // and get the result back at the end
                virtualRank = -1;
                stage = 3;
            }
            else
            {
                recv(tmp, bytes, rank + 1, in);
                virtualRank = rank / 2;
                stage = 0;
            }
        }
        else
        {
            virtualRank = rank - extra;
            stage = 1;
            exchange();
        }
    }

    private void exchange()
    {
        final int partner = realRank(virtualRank ^ mask);
        recv(tmp, bytes, partner, in);
        send(work, bytes, partner, out);
    }

    @Override
    int advance()
    {
        switch (stage)
        {
            case 0 ->
            {
                if (!finished(in))
                {
                    return 0;
                }
                ReduceKernels.reduce(op, working, work, work, tmp, count); // even rank first
                stage = 1;
                exchange();
                return 1;
            }
            case 1 ->
            {
                if (!finished(in) || !finished(out))
                {
                    return 0;
                }
                final boolean partnerIsLower = (virtualRank ^ mask) < virtualRank;
                if (partnerIsLower)
                {
                    ReduceKernels.reduce(op, working, work, tmp, work, count);
                }
                else
                {
                    ReduceKernels.reduce(op, working, work, work, tmp, count);
                }
                mask <<= 1;
                if (mask < pow2)
                {
                    exchange();
                    return 1;
                }
                if (rank < 2 * extra)
                {
                    send(work, bytes, rank + 1, out); // the folded odd neighbour gets the result
                    stage = 2;
                    return 1;
                }
                finish();
                return 1;
            }
            case 2 ->
            {
                if (!finished(out))
                {
                    return 0;
                }
                finish();
                return 1;
            }
            default ->
            {
                if (!finished(in) || !finished(out))
                {
                    return 0;
                }
                UnsafeApi.copyMemory(tmp, work, bytes);
                finish();
                return 1;
            }
        }
    }

    private void finish()
    {
        Precision.store(op, size, dtype, working, dst, work, count);
        done();
    }
}
