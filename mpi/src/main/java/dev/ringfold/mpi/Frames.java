package dev.ringfold.mpi;

/**
 * The frame layouts shared by every transport. All fields are little-endian ints and longs whatever the
 * machine's own order ({@link #ORDER}, read and written with Agrona's explicit-order accessors: no cost where the
 * machine is little-endian), since frames cross TCP between nodes; payloads start on an 8-byte boundary so that
 * copies run aligned.
 *
 * <pre>
 * EAGER  type ctx tag length   | payload          message small enough to go at once
 * RTS    type ctx tag length   | sendId - address ready to send: the receiver matches it, then pulls
 * CTS    type sendId recvId -  |                  clear to send: stream DATA frames for recvId
 * DATA   type recvId offset -  | payload          a fragment of a rendezvous message
 * FIN    type sendId           |                  the receiver has pulled the bytes itself (CMA)
 * BYE    type                  |                  the sender has closed its runtime: nothing more will come
 * HELP   type gen sendId length | address chunk   the receiver asks the sender to push chunks too (CMA)
 * CTSA   type sendId recvId -  |                  clear to send by address: the path moves the bytes (native)
 * CANS   type sendId           |                  the sender withdraws the send of its RTS sendId
 * CANR   type sendId recvId -  |                  the receiver withdraws the receive that matched sendId
 * GONE   type id               |                  answer to CANS/CANR: nothing more for the answerer's id will come
 * </pre>
 *
 * <p>Every CANS and CANR is answered by exactly one GONE, after everything the answerer had already sent about the
 * transfer (frames to one peer stay in order), so the withdrawing side keeps its slot until then and no late frame
 * reaches a reused slot.
 */
final class Frames
{
    /** The byte order of every field of every frame. */
    static final java.nio.ByteOrder ORDER = java.nio.ByteOrder.LITTLE_ENDIAN;

    static final int EAGER = 1;
    static final int RTS = 2;
    static final int CTS = 3;
    static final int DATA = 4;
    static final int FIN = 5;
    static final int BYE = 6;
    static final int HELP = 7;
    static final int CTS_BY_ADDRESS = 8;
    static final int CANCEL_SEND = 9;
    static final int CANCEL_RECV = 10;
    static final int WITHDRAWN = 11;

    static final int TYPE_OFFSET = 0;

    static final int CTX_OFFSET = 4;
    static final int TAG_OFFSET = 8;
    static final int EAGER_HEADER = 16;

    static final int LENGTH_OFFSET = 12;
    static final int SEND_ID_OFFSET = 16;
    static final int ADDRESS_OFFSET = 24;
    static final int RTS_LENGTH = 32;

    static final int CTS_SEND_ID_OFFSET = 4;
    static final int CTS_RECV_ID_OFFSET = 8;
    static final int CTS_LENGTH = 16;

    static final int DATA_RECV_ID_OFFSET = 4;
    static final int DATA_OFFSET_OFFSET = 8;
    static final int DATA_HEADER = 16;

    static final int FIN_SEND_ID_OFFSET = 4;
    static final int FIN_LENGTH = 8;
    static final int BYE_LENGTH = 8;

    /** CANS and GONE carry one id where FIN does, CANR two where CTS does. */
    static final int CANCEL_SEND_ID_OFFSET = 4;
    static final int CANCEL_RECV_ID_OFFSET = 8;
    static final int WITHDRAWN_ID_OFFSET = 4;

    static final int HELP_GENERATION_OFFSET = 4;
    static final int HELP_SEND_ID_OFFSET = 8;
    static final int HELP_LENGTH_OFFSET = 12;
    static final int HELP_ADDRESS_OFFSET = 16;
    static final int HELP_CHUNK_OFFSET = 24;
    static final int HELP_LENGTH = 32;

    private Frames()
    {
    }
}
