package dev.ringfold.collectives;

/**
 * Tickets in call order, for operations in flight together that must reach a shared resource (a node's region, the
 * MPI library's collective queue) in the order they were called: that order is the same on every rank, whereas the
 * order in which progress finishes their earlier steps is not. An operation takes a ticket when it starts, waits
 * while {@link #isTurn} is false, and hands the turn on with {@link #served} once it holds the resource in order.
 */
final class CallOrder
{
    private long issued;
    private long serving;

    long ticket()
    {
        return issued++;
    }

    boolean isTurn(final long ticket)
    {
        return serving == ticket;
    }

    /** Whether every ticket issued has been served: nothing is queued for, or holds, the resource. */
    boolean isIdle()
    {
        return serving == issued;
    }

    /** The holder of {@code ticket} is done with its turn; a ticket that never had the turn changes nothing. */
    void served(final long ticket)
    {
        if (serving == ticket)
        {
            serving++;
        }
    }

    /** One operation's place in a {@link CallOrder}: taken when it starts, held from its turn until released. */
    static final class Turn
    {
        private final CallOrder order;
        private long ticket;
        private boolean held;

        Turn(final CallOrder order)
        {
            this.order = order;
        }

        void take()
        {
            ticket = order.ticket();
            held = false;
        }

        /** Whether the turn is held now (taking it if it has come). */
        boolean acquire()
        {
            if (!held && order.isTurn(ticket))
            {
                held = true;
            }
            return held;
        }

        boolean isHeld()
        {
            return held;
        }

        /** Passes the turn on, if held; idempotent. */
        void release()
        {
            if (held)
            {
                held = false;
                order.served(ticket);
            }
        }
    }
}
