package dev.ringfold.mpi.transport;

/**
 * A way of moving frames between ranks: shared memory inside a node, TCP across nodes.
 * Transports know nothing of messages, tags or matching; the engine above them does.
 * Not thread-safe: the rank's progress owner is the only caller.
 */
public interface Transport extends AutoCloseable
{
    /** The outbound path to a world rank this transport serves, or null. */
    Channel channel(int peer);

    /** Delivers up to {@code limit} inbound frames to the handler; returns how many. */
    int poll(FrameHandler handler, int limit);

    /** Checks that the peers are still there; called rarely, from idle waits. */
    void checkLiveness(FrameHandler handler);

    @Override
    void close();
}
