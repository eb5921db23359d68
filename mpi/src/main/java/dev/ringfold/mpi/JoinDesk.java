package dev.ringfold.mpi;

import dev.ringfold.mpi.bootstrap.EndpointCard;
import dev.ringfold.mpi.bootstrap.RendezvousClient;
import dev.ringfold.mpi.transport.shm.ShmTransport;

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
 * Ringfold answers at its next call. Shared memory on one node only, so far.
 * <p>
 * Rounds: 0, the newcomer's card: this rank settles the old process's death and empties its ring, and answers with
 * its own card, the link to its file and the node's ring layout ({@link Answer}); 1, the newcomer's file name: this
 * rank maps it; 2: this rank lets the newcomer take the dead rank's place in the engine. The newcomer sends
 * nothing before its round 2 is answered by every survivor.
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
    private final long[] newcomerPid;

    JoinDesk(final EndpointCard own, final int worldSize, final Path shmDir, final String jobId,
        final long answerLimitMs)
    {
        this.own = own;
        this.shmDir = shmDir;
        this.jobId = jobId;
        this.answerLimitMs = answerLimitMs;
        this.newcomerPid = new long[worldSize];
    }

    /** The rank's runtime is up: rounds are answered from now on (before, with an empty blob: not there yet). */
    void attach(final Engine engine, final ShmTransport shm)
    {
        this.shm = shm;
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
        tasks.add(task);
        shm.wake(); // a rank asleep in a wait answers now, not at its next timeout
        try
        {
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
                shm.abandon(rank);
                return null;
            }));
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

    private byte[] answer(final int rank, final int incarnation, final int round, final byte[] blob) throws IOException
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
                if (!card.node().equals(own.node()))
                {
                    // the newcomer says why it stops: a layout it cannot use
                    return new Answer(own, "", new int[0]).encode();
                }
                if (!shm.clearFor(rank, engine))
                {
                    throw new IllegalStateException("world rank " + rank + "'s old process is still alive");
                }
                newcomerPid[rank] = card.pid();
                return new Answer(own, shm.openLink(), shm.localRanks()).encode();
            }
            case FILES ->
            {
                shm.mapNewcomer(shmDir, jobId, rank, new String(blob, StandardCharsets.UTF_8), newcomerPid[rank]);
                return new byte[0];
            }
            case ADMIT ->
            {
                engine.revive(rank, shm.admit(rank), newcomerPid[rank], incarnation);
                return new byte[0];
            }
            default -> throw new IllegalStateException("round " + round + " of a join: there are three");
        }
    }

    /**
     * A survivor's answer to a newcomer's card: its own card; the link to its ring file ({@code /proc/PID/fd/N}),
     * empty where it is not on the newcomer's node; the node's ring layout (world ranks, ascending).
     */
    record Answer(EndpointCard card, String link, int[] layout)
    {
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
                return new Answer(card, link, layout);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("a survivor's answer to a join is malformed: " + ex, ex);
            }
        }
    }
}
