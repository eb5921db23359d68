package dev.ringfold.mpi.transport;

import org.agrona.MutableDirectBuffer;

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
     * be reused.
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
