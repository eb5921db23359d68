package dev.ringfold.mpi.engine;

/**
 * The frame layouts shared by every transport. All fields are native-order ints and longs; payloads start
 * on an 8-byte boundary so that copies run aligned.
 *
 * <pre>
 * EAGER  type ctx tag -        | payload          message small enough to go at once
 * RTS    type ctx tag length   | sendId - address ready to send: the receiver matches it, then pulls
 * CTS    type sendId recvId -  |                  clear to send: stream DATA frames for recvId
 * DATA   type recvId offset -  | payload          a fragment of a rendezvous message
 * FIN    type sendId           |                  the receiver has pulled the bytes itself (CMA)
 * </pre>
 */
public final class Frames
{
    public static final int EAGER = 1;
    public static final int RTS = 2;
    public static final int CTS = 3;
    public static final int DATA = 4;
    public static final int FIN = 5;

    public static final int TYPE_OFFSET = 0;

    public static final int CTX_OFFSET = 4;
    public static final int TAG_OFFSET = 8;
    public static final int EAGER_HEADER = 16;

    public static final int LENGTH_OFFSET = 12;
    public static final int SEND_ID_OFFSET = 16;
    public static final int ADDRESS_OFFSET = 24;
    public static final int RTS_LENGTH = 32;

    public static final int CTS_SEND_ID_OFFSET = 4;
    public static final int CTS_RECV_ID_OFFSET = 8;
    public static final int CTS_LENGTH = 16;

    public static final int DATA_RECV_ID_OFFSET = 4;
    public static final int DATA_OFFSET_OFFSET = 8;
    public static final int DATA_HEADER = 16;

    public static final int FIN_SEND_ID_OFFSET = 4;
    public static final int FIN_LENGTH = 8;

    private Frames()
    {
    }

    public static String typeName(final int type)
    {
        return switch (type)
        {
            case EAGER -> "EAGER";
            case RTS -> "RTS";
            case CTS -> "CTS";
            case DATA -> "DATA";
            case FIN -> "FIN";
            default -> "UNKNOWN(" + type + ")";
        };
    }
}
