package dev.ringfold.mpi.transport;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The outbound half of a path to one peer: claim room for a frame, write it in place, commit.
 * Frames to one peer are delivered whole and in commit order.
 */
public interface Channel
{
    /** Returned by {@link #tryClaim(int)} while the path has no room; retry after progress. */
    int NO_ROOM = -1;

    /**
     * Claims {@code length} bytes for one frame.
     *
     * @return the offset in {@link #buffer()} at which to write the frame, or {@link #NO_ROOM}.
     */
    int tryClaim(int length);

    /** The buffer that the last successful claim points into. */
    MutableDirectBuffer buffer();

    /** Publishes the claimed frame. */
    void commit(int offset);

    /** The largest frame this path carries. */
    int maxFrameLength();

    /** Pushes whatever is buffered towards the peer; returns units of work done (0 if none). */
    int flush();

    /** The transport's name, for messages: "shm", "tcp" or "native". */
    String kind();

    /**
     * Whether the runtime connected this rank and the peer through memory both map (a node's shared-memory rings):
     * they can then also share node-shared tensors and the collectives' node regions.
     */
    default boolean sharesMemory()
    {
        return false;
    }

    /**
     * Whether the peer is a process on this node whose memory a cross-memory read reaches (and which may read
     * ours): a large off-heap message can then be pulled by the receiver in one copy.
     */
    default boolean pullsFromPeerMemory()
    {
        return false;
    }

    /**
     * Where the two ranks can copy a large message together, both pulling or pushing chunks by cross-memory
     * attach ({@code internal.CooperativeCopy}): the cache line the pair shares to claim the chunks of messages the peer
     * sends to this rank ({@code inbound}) or this rank sends to the peer. Null where the path cannot.
     */
    default UnsafeBuffer copyTogetherSlot(final boolean inbound)
    {
        return null;
    }

    /**
     * Whether the peer's process still exists, for waits the peer may hold up outside the frames (a chunk it claimed
     * in a copy together); true where the path cannot tell, and its transport's liveness check decides.
     */
    default boolean peerAlive()
    {
        return true;
    }

    /**
     * Whether a move by address under way can be withdrawn at once with {@link #cancelByAddress}; where not, a
     * withdrawn request waits for its move to end.
     */
    default boolean withdrawsByAddress()
    {
        return false;
    }

    /**
     * Stops the move {@code id} from touching its memory: an outbound one sends zeros for what it has not sent yet,
     * an inbound one reads the rest into nothing. The move still runs to its end, so that the path stays in step,
     * and {@link FrameHandler#onMovedByAddress(int)} still reports it. Only where {@link #withdrawsByAddress()}.
     */
    default void cancelByAddress(final int id)
    {
        throw new UnsupportedOperationException(kind() + " paths cannot withdraw a move by address");
    }

    /**
     * Whether this path moves a large off-heap payload itself, by address and outside the frames (the native
     * device hands it to MPI, which moves it without a copy through Ringfold's buffers).
     */
    default boolean movesByAddress()
    {
        return false;
    }

    /**
     * Starts moving {@code length} bytes at {@code address} to the peer, where a {@link #receiveByAddress} with the
     * same {@code tag} takes them; {@link FrameHandler#onMovedByAddress(int)} reports {@code id} when the bytes may
     * be reused. Address 0, only where {@link #withdrawsByAddress()}, sends {@code length} zeros.
     */
    default void sendByAddress(final long address, final int length, final int tag, final int id)
    {
        throw new UnsupportedOperationException(kind() + " paths do not move bytes by address");
    }

    /** Starts receiving the peer's {@link #sendByAddress} of {@code tag} into {@code address}; reports {@code id}. */
    default void receiveByAddress(final long address, final int length, final int tag, final int id)
    {
        throw new UnsupportedOperationException(kind() + " paths do not move bytes by address");
    }
}
