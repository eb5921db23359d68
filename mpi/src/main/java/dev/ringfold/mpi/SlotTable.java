package dev.ringfold.mpi;

import java.util.Arrays;

/**
 * The transfers in flight by id: a rendezvous send or receive takes a slot whose index travels in its frames
 * (sendId, recvId), so that the peer's answer finds it in one array read. Grows by doubling; never shrinks.
 */
final class SlotTable
{
    private Request[] slots = new Request[64];
    private int[] free = new int[64];
    private int freeTop;

    SlotTable()
    {
        for (int i = 0; i < free.length; i++)
        {
            free[i] = free.length - 1 - i;
        }
        freeTop = free.length;
    }

    /** The request holding slot {@code id}, or null. */
    Request get(final int id)
    {
        return slots[id];
    }

    int capacity()
    {
        return slots.length;
    }

    /** Gives {@code r} a slot and records it in {@code r.slot}. */
    void take(final Request r)
    {
        if (freeTop == 0)
        {
            final int old = slots.length;
            slots = Arrays.copyOf(slots, old * 2);
            free = new int[old * 2];
            for (int i = 0; i < old; i++)
            {
                free[i] = old * 2 - 1 - i;
            }
            freeTop = old;
        }
        final int slot = free[--freeTop];
        slots[slot] = r;
        r.slot = slot;
    }

    /** Hands {@code r}'s slot to {@code holder} (a tombstone), leaving {@code r} without one. */
    void handOver(final Request r, final Request holder)
    {
        holder.slot = r.slot;
        slots[r.slot] = holder;
        r.slot = -1;
    }

    /** Frees {@code r}'s slot, if it holds one. */
    void release(final Request r)
    {
        if (r.slot >= 0)
        {
            slots[r.slot] = null;
            free[freeTop++] = r.slot;
            r.slot = -1;
        }
    }

    /** Slots taken, by transfers in flight and by withdrawn ones awaiting their peer's last word. */
    int inUse()
    {
        return slots.length - freeTop;
    }
}
