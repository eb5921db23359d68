package dev.ringfold.mpi;

/**
 * A DATA frame: a fragment of a rendezvous message for the receiver's slot, its payload right after the header. Layout
 * and byte order in {@link Frames}.
 */
final class DataFrame extends FrameFlyweight<DataFrame>
{
    static final IntField<DataFrame> RECV_ID = intAt(4);
    /** Where the fragment goes in the message. */
    static final IntField<DataFrame> POSITION = intAt(8);
    static final int HEADER_LENGTH = 16;
}
