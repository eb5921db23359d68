package dev.ringfold.mpi;

/**
 * The frame layouts shared by every transport. All fields are little-endian ints and longs whatever the
 * machine's own order ({@link #ORDER}, read and written with Agrona's explicit-order accessors: no cost where the
 * machine is little-endian), since frames cross TCP between nodes; payloads start on an 8-byte boundary so that
 * copies run aligned.
 *
 * <pre>
 * EAGER  type ctx tag length   | stamp payload    message small enough to go at once
 * RTS    type ctx tag length   | sendId - address stamp  ready to send: the receiver matches it, then pulls
 * CTS    type sendId recvId -  |                  clear to send: stream DATA frames for recvId
 * DATA   type recvId offset -  | payload          a fragment of a rendezvous message
 * FIN    type sendId           |                  the receiver has pulled the bytes itself (CMA)
 * BYE    type                  |                  the sender has closed its runtime: nothing more will come
 * HELP   type gen sendId length | address chunk   the receiver asks the sender to push chunks too (CMA)
 * CTSA   type sendId recvId -  |                  clear to send by address: the path moves the bytes (native)
 * CANS   type sendId           |                  the sender withdraws the send of its RTS sendId
 * CANR   type sendId recvId -  |                  the receiver withdraws the receive that matched sendId
 * GONE   type id               |                  answer to CANS/CANR: nothing more for the answerer's id will come
 * RVK    type ctx revoker      |                  the communicator of context ctx is revoked (forwarded once)
 * FAIL   type worldRank incarnation - | that incarnation of the world rank has died (gossip: forwarded once)
 * AGREE  type ctx seq kind | epoch value max acceptedEpoch acceptedValue acceptedMax words incarnation | bitmaps
 *                                                 a step of a fault-tolerant agreement ({@link Agreement})
 * </pre>
 *
 * <p>FAIL and AGREE carry an incarnation (0 for a job's first processes, n for the n-th replacement of a world
 * slot, mpjrun --max-replacements): a death told late, or a step the old process sent, names the incarnation it was
 * about or from, and a rank that took a newer process into the slot since drops it.
 *
 * <p>The stamp (8 bytes) is what collective algorithms say of the call a message belongs to (its operation, count,
 * type and root, {@link Request#stamp}), so that ranks which called different collectives find out from the
 * messages they already exchange; point-to-point messages carry 0.
 *
 * <p>Every CANS and CANR is answered by exactly one GONE, after everything the answerer had already sent about the
 * transfer (frames to one peer stay in order), so the withdrawing side keeps its slot until then and no late frame
 * reaches a reused slot.
 *
 * <p>Each layout is a flyweight that declares its fields once, as typed descriptors with their offsets, read and
 * written through {@link FrameFlyweight}'s one {@code get} and {@code put} ({@link EagerFrame}, {@link RtsFrame},
 * {@link IdPairFrame} for CTS, CTSA and CANR, {@link DataFrame}, {@link IdFrame} for FIN, BYE, CANS and GONE,
 * {@link HelpFrame}, {@link RevokeFrame}, {@link FailedFrame}, {@link AgreeFrame}).
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
    static final int REVOKE = 12;
    static final int FAILED = 13;
    static final int AGREE = 14;

    /** The type of the frame at {@code offset}. */
    static int type(final org.agrona.DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + FrameFlyweight.TYPE_OFFSET, ORDER);
    }

    private Frames()
    {
    }
}
