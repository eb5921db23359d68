package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Request;
import dev.ringfold.mpi.RingfoldLog;
import dev.ringfold.mpi.Status;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Calls that did not match, on one communicator (always on, unlike {@link CheckedOperation}): every message and
 * shared-memory hand-off of a collective carries its call's stamp ({@link Call#stamp()}); a rank that finds a
 * peer's stamp different from its own raises {@link CollectiveMismatchException} and sends every other rank a
 * notice, so that the ranks which only wait (on the first, on a peer that gave up) raise it too, naming what each
 * called, rather than hang or keep a wrong result. Ranks look for notices while a collective waits. A rank whose
 * part of the call was only to send (a broadcast's root, a gather's leaf) may have finished it before anyone could
 * tell it; its data went nowhere wrong, so it goes on in step with the others, and logs the notice (a warning)
 * when it sees it. Each mismatch is raised once per rank, however many ranks report it.
 */
final class Mismatches implements AutoCloseable
{
    /** Below {@link CheckedOperation#FINGERPRINT_TAG}; sequence numbers never reach it. */
    static final int NOTICE_TAG = Integer.MAX_VALUE - 2;
    /** What notices carry as their stamp, so that a look for notices skips nothing but them. */
    private static final long NOTICE_STAMP = -1L;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int TAG = 0;
    private static final int OFFENDER = 4;
    private static final int OFFENDER_STAMP = 8;
    private static final int REPORTER_STAMP = 16;
    private static final int BYTES = 24;

    private static final System.Logger LOG = RingfoldLog.logger(Mismatches.class);

    private final Communicator comm;
    private final UnsafeBuffer received = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
    private final Request receiving = new Request();
    private final Status arrived = new Status();
    /** Notices not yet known to be delivered, with their buffers, kept reachable until they are. */
    private final List<Object> outgoing = new ArrayList<>();
    private boolean raisedAny;
    private int raisedTag;
    private boolean pending;
    private int pendingTag;
    private int pendingReporter;
    private int pendingOffender;
    private long pendingOffenderStamp;
    private long pendingReporterStamp;

    Mismatches(final Communicator comm)
    {
        this.comm = comm;
    }

    /** The record of a communicator's mismatches, made on first use and kept with its other collective state. */
    static Mismatches of(final Communicator comm)
    {
        return comm.attached(Mismatches.class, Mismatches::new);
    }

    /**
     * This rank found that {@code peer} called {@code theirs} where it called {@code mine} (the call with
     * {@code tag}): tells every other rank, and returns the exception to raise here.
     */
    CollectiveMismatchException found(final int tag, final long mine, final int peer, final long theirs)
    {
        final boolean first = !raisedAny || after(tag, raisedTag);
        raised(tag);
        if (first)
        {
            tellOthers(tag, peer, theirs, mine);
        }
        return new CollectiveMismatchException(where() + "collective calls do not match at call #" + sequence(tag) +
            ": rank " + peer + " called " + Call.describe(theirs) + ", this rank called " + Call.describe(mine) +
            RULE);
    }

    /**
     * While the call with {@code tag} and {@code mine} waits: a notice from another rank, or a message of this call
     * from a rank that called something else; the exception to raise, or null.
     */
    CollectiveMismatchException look(final int tag, final long mine)
    {
        if (pending && !after(pendingTag, tag))
        {
            pending = false;
            if (pendingTag == tag)
            {
                return noticed(tag, mine, pendingReporter, pendingOffender, pendingOffenderStamp,
                    pendingReporterStamp);
            }
            passed(pendingTag, pendingReporter, pendingOffender, pendingOffenderStamp, pendingReporterStamp);
        }
        while (comm.arrivedCollective(NOTICE_TAG, 0L, arrived))
        {
            final int reporter = arrived.source();
            comm.irecvCollective(received.addressOffset(), BYTES, reporter, NOTICE_TAG, receiving);
            if (!receiving.isComplete()) // not possible for an eager message already here; never wait in a hook
            {
                receiving.cancel();
                return null;
            }
            final int noticeTag = received.getInt(TAG, ORDER);
            final int offender = received.getInt(OFFENDER, ORDER);
            final long offenderStamp = received.getLong(OFFENDER_STAMP, ORDER);
            final long reporterStamp = received.getLong(REPORTER_STAMP, ORDER);
            if (raisedAny && !after(noticeTag, raisedTag))
            {
                continue; // raised here already
            }
            if (after(noticeTag, tag))
            {
                if (!pending || after(pendingTag, noticeTag)) // about a call this rank has not reached: for then
                {
                    pending = true;
                    pendingTag = noticeTag;
                    pendingReporter = reporter;
                    pendingOffender = offender;
                    pendingOffenderStamp = offenderStamp;
                    pendingReporterStamp = reporterStamp;
                }
                continue;
            }
            if (noticeTag == tag)
            {
                return noticed(tag, mine, reporter, offender, offenderStamp, reporterStamp);
            }
            passed(noticeTag, reporter, offender, offenderStamp, reporterStamp);
        }
        if (comm.arrivedCollective(tag, mine, arrived) && arrived.stamp() != 0 && arrived.stamp() != NOTICE_STAMP)
        {
            // a message of this call from a rank whose algorithm this rank's does not receive from (or not yet)
            return found(tag, mine, arrived.source(), arrived.stamp());
        }
        return null;
    }

    private CollectiveMismatchException noticed(final int tag, final long mine, final int reporter,
        final int offender, final long offenderStamp, final long reporterStamp)
    {
        raised(tag);
        return new CollectiveMismatchException(where() + "collective calls do not match at call #" + sequence(tag) +
            calls(reporter, offender, offenderStamp, reporterStamp) + "; this rank called " + Call.describe(mine) +
            RULE);
    }

    /** A notice about a call this rank finished (its part was only to send): logged, not raised. */
    private void passed(final int noticeTag, final int reporter, final int offender, final long offenderStamp,
        final long reporterStamp)
    {
        raised(noticeTag);
        LOG.log(System.Logger.Level.WARNING, () -> where() + "collective calls did not match at call #" +
            sequence(noticeTag) + ", where this rank's part was only to send and has finished" +
            calls(reporter, offender, offenderStamp, reporterStamp));
    }

    private static String calls(final int reporter, final int offender, final long offenderStamp,
        final long reporterStamp)
    {
        return ": rank " + offender + " called " + Call.describe(offenderStamp) + ", rank " + reporter + " called " +
            Call.describe(reporterStamp) + " (found by rank " + reporter + ")";
    }

    private static final String RULE = "; every rank must make the same collective calls (operation, count, type, " +
        "root) in the same order";

    private void raised(final int tag)
    {
        if (!raisedAny || after(tag, raisedTag))
        {
            raisedAny = true;
            raisedTag = tag;
        }
        if (pending && !after(pendingTag, raisedTag))
        {
            pending = false;
        }
    }

    private void tellOthers(final int tag, final int offender, final long offenderStamp, final long mine)
    {
        outgoing.removeIf(o -> o instanceof Request r && r.isComplete());
        if (outgoing.stream().noneMatch(o -> o instanceof Request))
        {
            outgoing.clear(); // every earlier notice has gone: their buffers may go too
        }
        final UnsafeBuffer notice = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
        notice.putInt(TAG, tag, ORDER);
        notice.putInt(OFFENDER, offender, ORDER);
        notice.putLong(OFFENDER_STAMP, offenderStamp, ORDER);
        notice.putLong(REPORTER_STAMP, mine, ORDER);
        outgoing.add(notice);
        for (int r = 0; r < comm.size(); r++)
        {
            if (r != comm.rank())
            {
                try
                {
                    outgoing.add(comm.isendCollective(notice.addressOffset(), BYTES, r, NOTICE_TAG, NOTICE_STAMP,
                        new Request()));
                }
                catch (final RuntimeException ex)
                {
                    // a rank that has failed or left gets no notice; the others still do
                }
            }
        }
    }

    private String where()
    {
        return "rank " + comm.rank() + " of " + comm.name() + ": ";
    }

    /** The call's number in the order of the communicator's collectives. */
    private static int sequence(final int tag)
    {
        return tag - Communicator.FIRST_COLLECTIVE_TAG;
    }

    /** Whether the call with tag {@code a} comes after the one with {@code b} (sequence numbers wrap at 2^30). */
    private static boolean after(final int a, final int b)
    {
        return (a - b) << 2 >> 2 > 0;
    }

    @Override
    public void close()
    {
        outgoing.clear();
    }
}
