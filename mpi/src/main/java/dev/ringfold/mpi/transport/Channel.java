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

    /** The transport's name, for messages: "shm" or "tcp". */
    String kind();
}
