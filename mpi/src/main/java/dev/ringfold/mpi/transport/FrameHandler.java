package dev.ringfold.mpi.transport;

import org.agrona.DirectBuffer;

/** The inbound half: what a transport calls for every frame it delivers and for every peer it loses. */
public interface FrameHandler
{
    void onFrame(int peer, DirectBuffer buffer, int offset, int length);

    void onPeerFailure(int peer, String reason);

    /** A transfer started with {@link Channel#sendByAddress} or {@link Channel#receiveByAddress} has finished. */
    default void onMovedByAddress(final int id)
    {
        throw new IllegalStateException("transfer " + id + " finished, but this handler starts none by address");
    }
}
