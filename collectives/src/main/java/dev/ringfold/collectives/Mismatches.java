package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Request;
import dev.ringfold.mpi.Status;
import dev.ringfold.mpi.internal.CommunicatorInternals;
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
 * called, rather than hang or keep a wrong result. Ranks look for notices while a collective waits, and once more
 * when a call finishes. A rank whose part of the call was only to send (a broadcast's root, a reduce's leaf) may
 * have finished it before anyone could tell it: it raises the mismatch at the end of a later call, the first that
 * finds the notice there, with that call's own part done (so that it stays in step with the ranks that raised on
 * the call itself): at the latest the next call in which it receives from the rank that found the mismatch, or in
 * which it waits. Each mismatch is raised once per rank, however many ranks report it.
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

    private final Communicator comm;
    private final UnsafeBuffer received = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
    private final Request receiving = new Request();
    private final Status arrived = new Status();
    /** Notices not yet known to be delivered, with their buffers, kept reachable until they are. */
    private final List<Object> outgoing = new ArrayList<>();
    private boolean raisedAny;
    private int raisedTag;
    /** A notice about a call this rank has not reached yet, kept for then. */
    private final Notice pending = new Notice();
    /** A notice about a call this rank had finished (its part only sent), to raise when the current call ends. */
    private final Notice late = new Notice();

    Mismatches(final Communicator comm)
    {
        this.comm = comm;
    }

    /** The record of a communicator's mismatches, made on first use and kept with its other collective state. */
    static Mismatches of(final Communicator comm)
    {
        return CommunicatorInternals.attached(comm, Mismatches.class, Mismatches::new);
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
        final CollectiveMismatchException noticed = readNotices(tag, mine);
        if (noticed != null)
        {
            return noticed;
        }
        final long theirs = CommunicatorInternals.arrivedCollective(comm, tag, mine, arrived) ?
            CommunicatorInternals.stamp(arrived) : 0L;
        if (theirs != 0 && theirs != NOTICE_STAMP)
        {
            // a message of this call from a rank whose algorithm this rank's does not receive from (or not yet)
            return found(tag, mine, arrived.source(), theirs);
        }
        return null;
    }

    /**
     * When the call with {@code tag} and {@code mine} has finished this rank's part: a notice about it or about an
     * earlier call that this rank finished before the notice came (its part only sent); the exception to raise, or
     * null. Costs a look at the messages arrived and not yet received (none, or the next call's, in a steady state)
     * and, where nothing is there, nothing more.
     */
    CollectiveMismatchException afterFinishing(final int tag, final long mine)
    {
        final CollectiveMismatchException noticed = readNotices(tag, mine);
        if (noticed != null)
        {
            return noticed;
        }
        if (late.held)
        {
            late.held = false;
            raised(late.tag);
            return new CollectiveMismatchException(where() + "collective calls do not match at call #" +
                sequence(late.tag) + calls(late.reporter, late.offender, late.offenderStamp, late.reporterStamp) +
                "; this rank's part of that call had finished before the notice came (it only sent, or what it " +
                "received matched), so it raises here, at the end of call #" + sequence(tag) + " (" +
                Call.describe(mine) + "), whose own part is done" + RULE);
        }
        return null;
    }

    /**
     * The notices arrived so far: one about the call with {@code tag} is returned as the exception to raise; one
     * about a later call is kept for then ({@code pending}), one about an earlier call for the end of this one
     * ({@code late}).
     */
    private CollectiveMismatchException readNotices(final int tag, final long mine)
    {
        if (pending.held && !after(pending.tag, tag))
        {
            pending.held = false;
            if (pending.tag == tag)
            {
                return noticed(tag, mine, pending.reporter, pending.offender, pending.offenderStamp,
                    pending.reporterStamp);
            }
            late.keepIfEarlier(pending.tag, pending.reporter, pending.offender, pending.offenderStamp,
                pending.reporterStamp);
        }
        while (CommunicatorInternals.arrivedCollective(comm, NOTICE_TAG, 0L, arrived))
        {
            final int reporter = arrived.source();
            CommunicatorInternals.irecvCollective(comm, received.addressOffset(), BYTES, reporter, NOTICE_TAG,
                receiving);
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
                // about a call this rank has not reached: for then
                pending.keepIfEarlier(noticeTag, reporter, offender, offenderStamp, reporterStamp);
                continue;
            }
            if (noticeTag == tag)
            {
                return noticed(tag, mine, reporter, offender, offenderStamp, reporterStamp);
            }
            late.keepIfEarlier(noticeTag, reporter, offender, offenderStamp, reporterStamp);
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
        if (pending.held && !after(pending.tag, raisedTag))
        {
            pending.held = false;
        }
        if (late.held && !after(late.tag, raisedTag))
        {
            late.held = false;
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
                    outgoing.add(CommunicatorInternals.isendCollective(comm, notice.addressOffset(), BYTES, r,
                        NOTICE_TAG, NOTICE_STAMP, new Request()));
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
        return tag - CommunicatorInternals.FIRST_COLLECTIVE_TAG;
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

    /** One notice kept for later: the earliest call's, when several come. */
    private static final class Notice
    {
        boolean held;
        int tag;
        int reporter;
        int offender;
        long offenderStamp;
        long reporterStamp;

        void keepIfEarlier(final int noticeTag, final int reporter, final int offender, final long offenderStamp,
            final long reporterStamp)
        {
            if (!held || after(tag, noticeTag))
            {
                held = true;
                this.tag = noticeTag;
                this.reporter = reporter;
                this.offender = offender;
                this.offenderStamp = offenderStamp;
                this.reporterStamp = reporterStamp;
            }
        }
    }
}
