package dev.ringfold.mpi.transport;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The channel to a peer that was already dead when this rank joined the job (a replacement joining after the
 * start-up, while another rank has not been replaced): it takes nothing, and the engine holds the peer failed from
 * the start, so nothing is ever offered to it.
 */
public final class GoneChannel implements Channel
{
    private final UnsafeBuffer none = new UnsafeBuffer(new byte[0]);
    private final int maxFrameLength;

    /** @param maxFrameLength that of the live peers' channels, so that the engine sizes its frames alike. */
    public GoneChannel(final int maxFrameLength)
    {
        this.maxFrameLength = maxFrameLength;
    }

    @Override
    public int tryClaim(final int length)
    {
        return NO_ROOM;
    }

    @Override
    public MutableDirectBuffer buffer()
    {
        return none;
    }

    @Override
    public void commit(final int offset)
    {
        throw new IllegalStateException("nothing is claimed on the channel to a peer that was gone at the start");
    }

    @Override
    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    @Override
    public int flush()
    {
        return 0;
    }

    @Override
    public String kind()
    {
        return "gone";
    }

    @Override
    public boolean peerAlive()
    {
        return false;
    }
}
