package dev.ringfold.mpi;

/**
 * A frame naming one slot: FIN (the receiver pulled the bytes itself), CANS (the sender withdraws its RTS), GONE
 * (answer to a cancel); BYE has this length and no id. Layout and byte order in {@link Frames}.
 */
final class IdFrame extends FrameFlyweight<IdFrame>
{
    static final IntField<IdFrame> ID = intAt(4);
    static final int FRAME_LENGTH = 8;
}
