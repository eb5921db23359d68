package dev.ringfold.mpi;

import org.agrona.DirectBuffer;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;

/**
 * Where the frames outside matching go, by context (ULFM's meaning): the communicators registered on this rank, the
 * contexts revoked and by whom, and the agreement steps for a communicator this rank is still making, kept until it
 * registers. It sends nothing and fails nothing: {@link Engine} passes revocations on and fails what waits.
 */
final class ContextRoutes
{
    private final Int2IntHashMap revokedBy = new Int2IntHashMap(-1);
    private final Int2ObjectHashMap<Communicator> byContext = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<ArrayList<byte[]>> earlyAgreements = new Int2ObjectHashMap<>();

    /**
     * Makes a communicator reachable by its (point-to-point) context.
     *
     * @return the world rank that revoked its context before it was made here, or -1.
     */
    int register(final Communicator comm)
    {
        byContext.put(comm.context(), comm);
        return revokedBy.get(comm.context());
    }

    /** Hands a communicator just registered the agreement steps that came before it existed here. */
    void deliverEarlySteps(final Communicator comm)
    {
        final ArrayList<byte[]> early = earlyAgreements.remove(comm.context());
        if (early != null)
        {
            for (final byte[] step : early)
            {
                final UnsafeBuffer b = new UnsafeBuffer(step);
                comm.onAgreementStep(b.getInt(step.length - 8, Frames.ORDER), new AgreeFrame().wrap(b, 0));
            }
        }
    }

    void deregister(final Communicator comm)
    {
        if (byContext.get(comm.context()) == comm)
        {
            byContext.remove(comm.context());
        }
    }

    /** The communicator of point-to-point context {@code ctx} registered here, or null. */
    Communicator communicator(final int ctx)
    {
        return byContext.get(ctx);
    }

    /** The world rank that revoked the communicator of this context (either of its two), or -1. */
    int revoker(final int ctx)
    {
        return revokedBy.isEmpty() ? -1 : revokedBy.get(ctx);
    }

    /**
     * Marks both contexts of a communicator ({@code ctx}, its point-to-point one, and the collective one after it)
     * revoked by {@code revoker}.
     *
     * @return true the first time; false if it was revoked already (the first revoker stands).
     */
    boolean revoke(final int ctx, final int revoker)
    {
        if (revokedBy.get(ctx) >= 0)
        {
            return false;
        }
        revokedBy.put(ctx, revoker);
        revokedBy.put(ctx + 1, revoker);
        return true;
    }

    /**
     * One agreement step from world rank {@code peer}, read through {@code agree} (wrapped at {@code offset} of
     * {@code buffer}): to its communicator; kept, with the sender after the frame, for a context this rank has not
     * made yet ({@code ctx >= nextContext}: a shrink or split that others finished first); dropped for a
     * communicator closed here, as nothing is left to answer for.
     */
    void onAgreementStep(final int peer, final AgreeFrame agree, final DirectBuffer buffer, final int offset,
        final int length, final int nextContext)
    {
        final int ctx = agree.get(AgreeFrame.CTX);
        final Communicator comm = byContext.get(ctx);
        if (comm != null)
        {
            comm.onAgreementStep(peer, agree);
        }
        else if (ctx >= nextContext)
        {
            final byte[] step = new byte[length + 8];
            buffer.getBytes(offset, step, 0, length);
            new UnsafeBuffer(step).putInt(length, peer, Frames.ORDER);
            earlyAgreements.computeIfAbsent(ctx, k -> new ArrayList<>()).add(step);
        }
    }
}
