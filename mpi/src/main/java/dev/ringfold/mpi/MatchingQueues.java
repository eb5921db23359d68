package dev.ringfold.mpi;

/**
 * MPI matching: the receives posted and not yet matched, and the messages arrived and not yet received, each in
 * order. A message matches the oldest posted receive that accepts it (context, source, tag, with ANY_SOURCE and
 * ANY_TAG); a receive matches the oldest waiting message it accepts. Since each peer's frames arrive in order,
 * that keeps MPI's non-overtaking rule. Envelopes are pooled, so a steady state allocates nothing.
 */
final class MatchingQueues
{
    static final int ANY = -1;

    private Request postedHead;
    private Request postedTail;
    private Envelope unexpectedHead;
    private Envelope unexpectedTail;
    private Envelope freeEnvelopes;

    static boolean matches(final int wantCtx, final int wantSource, final int wantTag, final int ctx,
        final int source, final int tag)
    {
        return wantCtx == ctx && (wantSource == ANY || wantSource == source) && (wantTag == ANY || wantTag == tag);
    }

    // ----------------------------------------------------------------------------------------- posted receives

    void post(final Request r)
    {
        r.next = null;
        r.prev = postedTail;
        if (postedTail == null)
        {
            postedHead = r;
        }
        else
        {
            postedTail.next = r;
        }
        postedTail = r;
    }

    /** The oldest posted receive that accepts a message of (ctx, source, tag), or null. */
    Request findPosted(final int ctx, final int source, final int tag)
    {
        for (Request r = postedHead; r != null; r = r.next)
        {
            if (matches(r.ctx, r.peer, r.tag, ctx, source, tag))
            {
                return r;
            }
        }
        return null;
    }

    /** The oldest posted receive, to walk them with {@link Request#next} (for a peer's failure). */
    Request firstPosted()
    {
        return postedHead;
    }

    void removePosted(final Request r)
    {
        if (r.prev == null)
        {
            postedHead = r.next;
        }
        else
        {
            r.prev.next = r.next;
        }
        if (r.next == null)
        {
            postedTail = r.prev;
        }
        else
        {
            r.next.prev = r.prev;
        }
        r.next = null;
        r.prev = null;
    }

    // ------------------------------------------------------------------------------------- unexpected messages

    /** The oldest waiting message that a receive of (ctx, source, tag) accepts, or null. */
    Envelope findUnexpected(final int ctx, final int source, final int tag)
    {
        for (Envelope e = unexpectedHead; e != null; e = e.next)
        {
            if (matches(ctx, source, tag, e.ctx, e.source, e.tag))
            {
                return e;
            }
        }
        return null;
    }

    /** The oldest arrival matching (ctx, source, tag) whose stamp is not {@code unlessStamp}. */
    Envelope findUnexpected(final int ctx, final int source, final int tag, final long unlessStamp)
    {
        for (Envelope e = unexpectedHead; e != null; e = e.next)
        {
            if (e.stamp != unlessStamp && matches(ctx, source, tag, e.ctx, e.source, e.tag))
            {
                return e;
            }
        }
        return null;
    }

    /**
     * For a stalled receive of (ctx, source): the messages that have arrived from that peer (from any peer, for
     * ANY_SOURCE) and that nothing has received, with their tags, so that a tag or communicator mismatch shows.
     */
    String waitingFrom(final int ctx, final int source)
    {
        final StringBuilder sb = new StringBuilder();
        int listed = 0;
        int more = 0;
        for (Envelope e = unexpectedHead; e != null; e = e.next)
        {
            if (source != ANY && e.source != source)
            {
                continue;
            }
            if (listed == 8)
            {
                more++;
                continue;
            }
            sb.append(listed++ == 0 ? "" : ", ").append("tag ").append(e.tag);
            if (source == ANY)
            {
                sb.append(" from world rank ").append(e.source);
            }
            sb.append(" (").append(e.length).append(" bytes").append(e.ctx == ctx ? "" : ", another communicator")
                .append(')');
        }
        final String from = source == ANY ? "any rank" : "world rank " + source;
        if (listed == 0)
        {
            return "no message has arrived from " + from + " that it could take";
        }
        return "waiting unreceived from " + from + ": " + sb + (more == 0 ? "" : " and " + more + " more");
    }

    /** The waiting RTS of a peer's send {@code sendSlot}, or null. */
    Envelope findRendezvous(final int source, final int sendSlot)
    {
        for (Envelope e = unexpectedHead; e != null; e = e.next)
        {
            if (e.source == source && e.rendezvous && e.remoteSlot == sendSlot)
            {
                return e;
            }
        }
        return null;
    }

    /** Queues a new arrival, last; the caller fills in its payload or rendezvous fields. */
    Envelope arrive(final int ctx, final int source, final int tag, final int length)
    {
        Envelope e = freeEnvelopes;
        if (e != null)
        {
            freeEnvelopes = e.next;
        }
        else
        {
            e = new Envelope();
        }
        e.ctx = ctx;
        e.source = source;
        e.tag = tag;
        e.length = length;
        e.rendezvous = false;
        e.data = null;
        e.next = null;
        e.prev = unexpectedTail;
        if (unexpectedTail == null)
        {
            unexpectedHead = e;
        }
        else
        {
            unexpectedTail.next = e;
        }
        unexpectedTail = e;
        return e;
    }

    /** Takes a message off the queue and returns its envelope to the pool (its payload is the caller's). */
    void remove(final Envelope e)
    {
        if (e.prev == null)
        {
            unexpectedHead = e.next;
        }
        else
        {
            e.prev.next = e.next;
        }
        if (e.next == null)
        {
            unexpectedTail = e.prev;
        }
        else
        {
            e.next.prev = e.prev;
        }
        e.data = null;
        e.prev = null;
        e.next = freeEnvelopes;
        freeEnvelopes = e;
    }
}
