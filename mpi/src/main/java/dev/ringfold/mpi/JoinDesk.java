package dev.ringfold.mpi;

import dev.ringfold.mpi.bootstrap.EndpointCard;
import dev.ringfold.mpi.bootstrap.RendezvousClient;
import dev.ringfold.mpi.transport.Channel;
import dev.ringfold.mpi.transport.shm.ShmTransport;
import dev.ringfold.mpi.transport.tcp.TcpTransport;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * A survivor's side of a replacement's join (mpjrun --elastic with replacements): the launcher's rendezvous brings
 * each round of the newcomer over this rank's lifeline, on the lifeline's thread; the work is done here on the
 * rank's own thread, as a progress hook, since it touches the engine and the transports. A rank busy outside
 * Ringfold answers at its next call. The newcomer is reached over shared memory where this rank's node rings hold
 * its slot and it runs on this node, else over TCP (a replacement the launcher put on another node than the dead
 * process's: then a slot this rank reached over shared memory is reached over TCP from now on).
 * <p>
 * Rounds: 0, the newcomer's card: this rank settles the old process's death and empties its ring (shared memory) or
 * reads out and closes its connection (TCP), and answers with its own card and either the link to its file and the
 * node's ring layout or the address it listens on ({@link Answer}); then the newcomer connects to each survivor it
 * reaches over TCP, with its incarnation in the hello; 1, the newcomer's file name: this rank maps it (shared
 * memory) or waits for its connection, on the lifeline's thread (TCP); 2: this rank lets the newcomer take the dead
 * rank's place in the engine. The newcomer sends nothing before its round 2 is answered by every survivor.
 */
final class JoinDesk implements Progressable, RendezvousClient.Newcomers
{
    static final int CARDS = 0;
    static final int FILES = 1;
    static final int ADMIT = 2;

    private final ConcurrentLinkedQueue<FutureTask<byte[]>> tasks = new ConcurrentLinkedQueue<>();
    private final long answerLimitMs;
    private final EndpointCard own;
    private final Path shmDir;
    private final String jobId;
    private volatile Engine engine;
    private volatile ShmTransport shm;
    /** This rank's TCP transport, or null where it has no TCP peer (then it serves shared-memory newcomers only). */
    private volatile TcpTransport tcp;
    private final long[] newcomerPid;
    /** Per world rank, whether its newcomer is reached over shared memory: decided in round 0, on the rank's thread. */
    private final boolean[] overShm;

    JoinDesk(final EndpointCard own, final int worldSize, final Path shmDir, final String jobId,
        final long answerLimitMs)
    {
        this.own = own;
        this.shmDir = shmDir;
        this.jobId = jobId;
        this.answerLimitMs = answerLimitMs;
        this.newcomerPid = new long[worldSize];
        this.overShm = new boolean[worldSize];
    }

    /** The rank's runtime is up: rounds are answered from now on (before, with an empty blob: not there yet). */
    void attach(final Engine engine, final ShmTransport shm, final TcpTransport tcp)
    {
        this.shm = shm;
        this.tcp = tcp;
        this.engine = engine;
        engine.addHook(this);
    }

    @Override
    public byte[] round(final int rank, final int incarnation, final int round, final byte[] blob)
    {
        if (engine == null || shm == null)
        {
            return new byte[0];
        }
        final FutureTask<byte[]> task = new FutureTask<>(() -> answer(rank, incarnation, round, blob));
        try
        {
            // overShm[rank] was written by round 0's task, which completed before its answer was taken here
            if (round == FILES && !overShm[rank] && tcp != null &&
                !tcp.awaitReplacement(rank, answerLimitMs))
            {
                // here, not on the rank's thread: a wait has no place in a progress hook
                throw new IllegalStateException("its connection did not come within " + answerLimitMs + " ms");
            }
            tasks.add(task);
            wake(); // a rank asleep in a wait answers now, not at its next timeout
            return task.get(answerLimitMs, TimeUnit.MILLISECONDS);
        }
        catch (final Exception ex)
        {
            // not answered in time, or refused here: the newcomer takes this rank for gone and stops
            tasks.remove(task);
            final RingfoldException why = new RingfoldException("rank " + own.rank() + ": could not answer round " +
                round + " of world rank " + rank + "'s replacement (incarnation " + incarnation + "): " + ex, ex);
            tasks.add(new FutureTask<>(() ->
            {
                engine.reportError(why); // on the rank's thread, as the error handler expects
                return null;
            }));
            return new byte[0];
        }
    }

    @Override
    public void ended(final int rank, final int incarnation, final boolean joined)
    {
        if (!joined && shm != null)
        {
            tasks.add(new FutureTask<>(() ->
            {
                if (overShm[rank])
                {
                    shm.abandon(rank);
                }
                else if (tcp != null)
                {
                    tcp.abandon(rank);
                }
                return null;
            }));
            wake();
        }
    }

    private void wake()
    {
        shm.wake();
        final TcpTransport t = tcp;
        if (t != null)
        {
            t.wake();
        }
    }

    @Override
    public int doWork()
    {
        int work = 0;
        FutureTask<byte[]> task;
        while ((task = tasks.poll()) != null)
        {
            task.run();
            work++;
        }
        return work;
    }

    private byte[] answer(final int rank, final int incarnation, final int round, final byte[] blob)
        throws IOException
    {
        switch (round)
        {
            case CARDS ->
            {
                final EndpointCard card = EndpointCard.decode(blob);
                if (card.rank() != rank)
                {
                    throw new IllegalStateException("the replacement of world rank " + rank + " sent the card of " +
                        card.rank());
                }
                final boolean viaShm = shm.carries(rank) && card.node().equals(own.node());
                if (!viaShm && tcp == null)
                {
                    // the newcomer says why it stops: a way this rank cannot serve
                    return Answer.refusal(own).encode();
                }
                // the old process may have been on either transport (a slot moves to TCP when its newcomer runs
                // on another node): its death is settled, and what it left read out, on both
                if (shm.carries(rank) && !shm.clearFor(rank, engine))
                {
                    throw new IllegalStateException("world rank " + rank + "'s old process is still alive");
                }
                if (tcp != null)
                {
                    tcp.clearFor(rank, engine);
                }
                newcomerPid[rank] = card.pid();
                overShm[rank] = viaShm;
                if (viaShm)
                {
                    return new Answer(own, shm.openLink(), shm.localRanks(), "", 0).encode();
                }
                tcp.expectReplacement(rank, incarnation);
                return new Answer(own, "", shm.localRanks(), tcp.advertisedHost(), tcp.port()).encode();
            }
            case FILES ->
            {
                if (overShm[rank])
                {
                    shm.mapNewcomer(shmDir, jobId, rank, new String(blob, StandardCharsets.UTF_8), newcomerPid[rank]);
                }
                return new byte[0];
            }
            case ADMIT ->
            {
                final Channel channel = overShm[rank] ? shm.admit(rank) : tcp.admit(rank);
                engine.revive(rank, channel, newcomerPid[rank], incarnation);
                return new byte[0];
            }
            default -> throw new IllegalStateException("round " + round + " of a join: there are three");
        }
    }

    /**
     * A survivor's answer to a newcomer's card: its own card; the link to its ring file ({@code /proc/PID/fd/N}),
     * where it reaches the newcomer over shared memory, else empty; its node's ring layout (world ranks, ascending);
     * the address it listens on, where it reaches the newcomer over TCP, else empty and 0. Neither a link nor a
     * port: the survivor cannot serve this newcomer (a shared-memory slot, but the newcomer runs on another node;
     * a TCP slot, but the survivor listens nowhere).
     */
    record Answer(EndpointCard card, String link, int[] layout, String tcpHost, int tcpPort)
    {
        static Answer refusal(final EndpointCard card)
        {
            return new Answer(card, "", new int[0], "", 0);
        }

        boolean viaShm()
        {
            return !link.isEmpty();
        }

        boolean viaTcp()
        {
            return tcpPort > 0;
        }

        byte[] encode()
        {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes))
            {
                final byte[] c = card.encode();
                out.writeInt(c.length);
                out.write(c);
                out.writeUTF(link);
                out.writeInt(layout.length);
                for (final int r : layout)
                {
                    out.writeInt(r);
                }
                out.writeUTF(tcpHost);
                out.writeInt(tcpPort);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            return bytes.toByteArray();
        }

        static Answer decode(final byte[] blob)
        {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(blob)))
            {
                final EndpointCard card = EndpointCard.decode(in.readNBytes(in.readInt()));
                final String link = in.readUTF();
                final int[] layout = new int[in.readInt()];
                for (int i = 0; i < layout.length; i++)
                {
                    layout[i] = in.readInt();
                }
                final String tcpHost = in.readUTF();
                return new Answer(card, link, layout, tcpHost, in.readInt());
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("a survivor's answer to a join is malformed: " + ex, ex);
            }
        }
    }
}
