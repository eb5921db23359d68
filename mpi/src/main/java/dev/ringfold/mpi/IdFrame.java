package dev.ringfold.mpi;

/**
 * A frame naming one slot: FIN (the receiver pulled the bytes itself), CANS (the sender withdraws its RTS), GONE
 * (answer to a cancel); BYE has this length and no id. Layout and byte order in {@link Frames}.
 */
final class IdFrame extends FrameFlyweight<IdFrame>
{
    static final int ID_OFFSET = 4;
    static final int FRAME_LENGTH = 8;

    int id()
    {
        return getInt(ID_OFFSET);
    }

    IdFrame id(final int value)
    {
        putInt(ID_OFFSET, value);
        return this;
    }
}
