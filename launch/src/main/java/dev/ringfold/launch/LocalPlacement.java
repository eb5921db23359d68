package dev.ringfold.launch;

import java.util.ArrayList;
import java.util.List;

/** Every rank on this node, meeting over loopback so that nothing is exposed to the network. */
final class LocalPlacement implements Placement
{
    static final String LOOPBACK = "127.0.0.1";

    @Override
    public List<RankSlot> place(final int size)
    {
        final List<RankSlot> slots = new ArrayList<>(size);
        for (int rank = 0; rank < size; rank++)
        {
            slots.add(new RankSlot(rank, "localhost", rank));
        }
        return slots;
    }

    @Override
    public String rendezvousBindHost()
    {
        return LOOPBACK;
    }

    @Override
    public String rendezvousHost()
    {
        return LOOPBACK;
    }
}
