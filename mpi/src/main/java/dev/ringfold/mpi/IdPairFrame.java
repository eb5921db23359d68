package dev.ringfold.mpi;

/**
 * A frame naming a transfer by both sides' slots: CTS, CTSA (clear to send: stream DATA for recvId, or let the path
 * move by address) and CANR (the receiver withdraws the receive matched with sendId). Layout and byte order in {@link
 * Frames}.
 */
final class IdPairFrame extends FrameFlyweight<IdPairFrame>
{
    static final int SEND_ID_OFFSET = 4;
    static final int RECV_ID_OFFSET = 8;
    static final int FRAME_LENGTH = 16;

    int sendId()
    {
        return getInt(SEND_ID_OFFSET);
    }

    IdPairFrame sendId(final int value)
    {
        putInt(SEND_ID_OFFSET, value);
        return this;
    }

    int recvId()
    {
        return getInt(RECV_ID_OFFSET);
    }

    IdPairFrame recvId(final int value)
    {
        putInt(RECV_ID_OFFSET, value);
        return this;
    }
}
