package dev.ringfold.mpi.internal;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.PeerFailedException;
import dev.ringfold.mpi.Progressable;
import dev.ringfold.mpi.Request;
import dev.ringfold.mpi.Status;

import java.lang.invoke.MethodHandles;
import java.util.function.Function;

/**
 * What the layers above the runtime (collective algorithms, training, the MPI APIs) need of a {@link Communicator}
 * and that is no part of its public API: the collective context, the stamps its messages carry, progress hooks,
 * the members that died, state attached to it. The package is exported only to Ringfold's own modules
 * (module-info.java); on the class path, where {@code bin/mpjrun} runs ranks, it is reachable but not public API.
 *
 * <p>Communicator keeps these operations package-private and hands this class an {@link Access} to them once, when
 * it loads (the JDK's "shared secrets" pattern), so that they need not be public methods of the API type.
 */
public final class CommunicatorInternals
{
    /** Tags from here up on the collective context belong to collective algorithms; below, to the runtime. */
    public static final int FIRST_COLLECTIVE_TAG = 16;

    private static volatile Access access;

    private CommunicatorInternals()
    {
    }

    /**
     * A send of off-heap memory on the communicator's collective context, which no user receive can match: the
     * building block of collective algorithms. Tags from {@link #FIRST_COLLECTIVE_TAG} up.
     */
    public static Request isendCollective(final Communicator comm, final long address, final int length, final int dest,
        final int tag, final Request into)
    {
        return access().isendCollective(comm, address, length, dest, tag, 0L, into);
    }

    /**
     * As {@link #isendCollective(Communicator, long, int, int, int, Request)}, the message carrying {@code stamp}:
     * what the algorithm says of the call (operation, count, type, root), which the receiver reads from its request
     * ({@link #stamp(Request)}) to find ranks that called different collectives, at no cost of a message.
     */
    public static Request isendCollective(final Communicator comm, final long address, final int length, final int dest,
        final int tag, final long stamp, final Request into)
    {
        return access().isendCollective(comm, address, length, dest, tag, stamp, into);
    }

    /** The receive matching {@link #isendCollective}. */
    public static Request irecvCollective(final Communicator comm, final long address, final int length,
        final int source, final int tag, final Request into)
    {
        return access().irecvCollective(comm, address, length, source, tag, into);
    }

    /**
     * For collective algorithms waiting on something other than a message (shared memory) or for a message of
     * their own: whether a message on the collective context with {@code tag} has arrived from any rank and is
     * not yet received, its stamp other than {@code unlessStamp}; if so its source, tag, length and stamp go
     * into {@code into}. Drives no progress, so it may be called from a progress hook.
     */
    public static boolean arrivedCollective(final Communicator comm, final int tag, final long unlessStamp,
        final Status into)
    {
        return access().arrivedCollective(comm, tag, unlessStamp, into);
    }

    /**
     * What the matched message's sender said of its call (the stamp it passed to
     * {@link #isendCollective(Communicator, long, int, int, int, long, Request)}), once a receive has been matched,
     * even if it then failed (truncated); for a send, its own stamp. 0 for point-to-point.
     */
    public static long stamp(final Request request)
    {
        return access().stamp(request);
    }

    /** The stamp the message carried; 0 for point-to-point messages. */
    public static long stamp(final Status status)
    {
        return access().stamp(status);
    }

    /**
     * Throws {@link PeerFailedException} if a rank is known to have died or left: for collective algorithms that
     * wait on shared memory rather than on messages, so a dead peer fails them as it fails a receive. The runtime
     * looks for dead peers while a rank waits idle ({@link Communicator#await}), every 100 ms.
     */
    public static void checkAlive(final Communicator comm, final int rank, final String what)
    {
        access().checkAlive(comm, rank, what);
    }

    /** Registers work to advance on every progress of this rank (see {@link Progressable}). */
    public static void addProgressHook(final Communicator comm, final Progressable hook)
    {
        access().addProgressHook(comm, hook);
    }

    public static void removeProgressHook(final Communicator comm, final Progressable hook)
    {
        access().removeProgressHook(comm, hook);
    }

    /**
     * For collectives, which depend on every member: the world rank of a member that died (failed without
     * closing), or -1. Whatever a dead member still owed an operation never comes, even where nothing this rank
     * waits on is addressed to it.
     */
    public static int deadMember(final Communicator comm)
    {
        return access().deadMember(comm);
    }

    /** Why a world rank is known to have failed ("process 123 has exited"), or null. */
    public static String failureOf(final Communicator comm, final int worldRank)
    {
        return access().failureOf(comm, worldRank);
    }

    /**
     * The state a layer above the runtime keeps for the communicator under {@code key} (the collectives' algorithms
     * and node regions, say), made by {@code create} on first use. It lives as long as the communicator:
     * {@link Communicator#close()} closes every attached state, the last made first. Throws
     * {@link dev.ringfold.mpi.CommunicatorClosedException} once the communicator is closed.
     */
    public static <T extends AutoCloseable> T attached(final Communicator comm, final Object key,
        final Function<Communicator, T> create)
    {
        return access().attached(comm, key, create);
    }

    /** Called once, by Communicator as it loads. */
    public static void install(final Access implementation)
    {
        synchronized (CommunicatorInternals.class)
        {
            if (access != null)
            {
                throw new IllegalStateException("CommunicatorInternals: the access is installed once, by Communicator");
            }
            access = implementation;
        }
    }

    private static Access access()
    {
        Access a = access;
        if (a == null)
        {
            // a Request or Status can exist before any Communicator: loading Communicator installs the access
            try
            {
                MethodHandles.lookup().ensureInitialized(Communicator.class);
            }
            catch (final IllegalAccessException ex)
            {
                throw new IllegalStateException(ex);
            }
            a = access;
        }
        return a;
    }

    /** The operations Communicator implements for this class, package-private on its side. */
    public interface Access
    {
        Request isendCollective(Communicator comm, long address, int length, int dest, int tag, long stamp,
            Request into);

        Request irecvCollective(Communicator comm, long address, int length, int source, int tag, Request into);

        boolean arrivedCollective(Communicator comm, int tag, long unlessStamp, Status into);

        long stamp(Request request);

        long stamp(Status status);

        void checkAlive(Communicator comm, int rank, String what);

        void addProgressHook(Communicator comm, Progressable hook);

        void removeProgressHook(Communicator comm, Progressable hook);

        int deadMember(Communicator comm);

        String failureOf(Communicator comm, int worldRank);

        <T extends AutoCloseable> T attached(Communicator comm, Object key, Function<Communicator, T> create);
    }
}
