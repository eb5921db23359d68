package dev.ringfold.mpi;

/**
 * An EAGER frame: a message small enough to go at once, its payload right after the header. Layout and byte order in
 * {@link Frames}.
 */
final class EagerFrame extends FrameFlyweight<EagerFrame>
{
    /** The communicator context. */
    static final IntField<EagerFrame> CTX = intAt(4);
    static final IntField<EagerFrame> TAG = intAt(8);
    /** The payload's bytes. */
    static final IntField<EagerFrame> MESSAGE_LENGTH = intAt(12);
    /** What a collective says of the call the message belongs to ({@link Request#stamp()}); 0 for point-to-point. */
    static final LongField<EagerFrame> STAMP = longAt(16);
    static final int HEADER_LENGTH = 24;
}
