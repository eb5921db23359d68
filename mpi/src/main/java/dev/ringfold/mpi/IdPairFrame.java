package dev.ringfold.mpi;

/**
 * A frame naming a transfer by both sides' slots: CTS, CTSA (clear to send: stream DATA for recvId, or let the path
 * move by address) and CANR (the receiver withdraws the receive matched with sendId). Layout and byte order in {@link
 * Frames}.
 */
final class IdPairFrame extends FrameFlyweight<IdPairFrame>
{
    static final IntField<IdPairFrame> SEND_ID = intAt(4);
    static final IntField<IdPairFrame> RECV_ID = intAt(8);
    static final int FRAME_LENGTH = 16;
}
