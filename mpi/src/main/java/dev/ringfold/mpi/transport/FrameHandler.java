package dev.ringfold.mpi.transport;

import org.agrona.DirectBuffer;

/** The inbound half: what a transport calls for every frame it delivers and for every peer it loses. */
public interface FrameHandler
{
    void onFrame(int peer, DirectBuffer buffer, int offset, int length);

    void onPeerFailure(int peer, String reason);
}
