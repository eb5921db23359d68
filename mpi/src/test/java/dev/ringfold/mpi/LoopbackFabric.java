package dev.ringfold.mpi;

import dev.ringfold.mpi.transport.Channel;
import dev.ringfold.mpi.transport.FrameHandler;
import dev.ringfold.mpi.transport.RingChannel;
import dev.ringfold.mpi.transport.Transport;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An in-process transport: N engines in one JVM, each pair joined by Agrona one-to-one ring buffers as the shm
 * transport's are, so that the protocol above runs for real, fast and step by step, in unit tests. Optionally moves
 * by address (as TCP and MPI do: a move happens once the receiver has posted its buffer, outside the frames) and
 * lets a test kill a rank (its peers hear of it at their next liveness check, after draining what it sent).
 */
final class LoopbackFabric
{
    private final int size;
    private final OneToOneRingBuffer[][] rings; // [from][to]
    private final boolean movesByAddress;
    private final boolean[] dead;
    private final List<Move>[] outbound;     // by sender
    private final List<Move>[] posted;       // by receiver
    private final ArrayDeque<Integer>[] moved; // ids whose move ended, by the rank to tell
    final Engine[] engines;
    final Communicator[] worlds;

    @SuppressWarnings("unchecked")
    LoopbackFabric(final int size, final int ringBytes, final boolean movesByAddress, final Map<String, String> env)
    {
        this.size = size;
        this.movesByAddress = movesByAddress;
        this.rings = new OneToOneRingBuffer[size][size];
        this.dead = new boolean[size];
        this.outbound = new List[size];
        this.posted = new List[size];
        this.moved = new ArrayDeque[size];
        for (int from = 0; from < size; from++)
        {
            outbound[from] = new ArrayList<>();
            posted[from] = new ArrayList<>();
            moved[from] = new ArrayDeque<>();
            for (int to = 0; to < size; to++)
            {
                rings[from][to] = new OneToOneRingBuffer(new UnsafeBuffer(
                    ByteBuffer.allocateDirect(ringBytes + RingBufferDescriptor.TRAILER_LENGTH)));
            }
        }
        final RuntimeSettings settings = RuntimeSettings.from(env);
        final int[] all = new int[size];
        final long[] pids = new long[size];
        for (int r = 0; r < size; r++)
        {
            all[r] = r;
            pids[r] = ProcessHandle.current().pid();
        }
        engines = new Engine[size];
        worlds = new Communicator[size];
        for (int r = 0; r < size; r++)
        {
            final Node node = new Node(r);
            final Channel[] channels = new Channel[size];
            for (int p = 0; p < size; p++)
            {
                channels[p] = node.channel(p);
            }
            engines[r] = new Engine(r, size, new Transport[] {node}, channels, pids, settings);
            worlds[r] = new Communicator(engines[r], "WORLD", 0, all);
        }
    }

    /**
     * Drives every live engine until a few rounds in a row find no work (one quiet round is not enough: a ring read
     * that only skips the padding at its wrap counts no frame, and a stream's partial write counts no work).
     */
    void pump()
    {
        for (int round = 0, quiet = 0; round < 100_000; round++)
        {
            int work = 0;
            for (int r = 0; r < size; r++)
            {
                if (!dead[r])
                {
                    work += engines[r].progress();
                }
            }
            quiet = work == 0 ? quiet + 1 : 0;
            if (quiet == 3)
            {
                return;
            }
        }
        throw new AssertionError("the engines never went quiet");
    }

    /** A link from {@code from} to {@code to}, as a replacement's admission hands one to the engine. */
    Channel link(final int from, final int to)
    {
        return new Link(from, to);
    }

    /** The rank stops: it drives nothing more, and its peers find it gone at their next liveness check. */
    void kill(final int rank)
    {
        dead[rank] = true;
    }

    private static final class Move
    {
        final int peer;
        long address;
        final int length;
        final int tag;
        final int id;

        Move(final int peer, final long address, final int length, final int tag, final int id)
        {
            this.peer = peer;
            this.address = address;
            this.length = length;
            this.tag = tag;
            this.id = id;
        }
    }

    private final class Node implements Transport
    {
        private final int rank;
        private final boolean[] reported = new boolean[size];

        Node(final int rank)
        {
            this.rank = rank;
        }

        @Override
        public Channel channel(final int peer)
        {
            return new Link(rank, peer);
        }

        @Override
        public int poll(final FrameHandler handler, final int limit)
        {
            int work = 0;
            for (int from = 0; from < size; from++)
            {
                final int peer = from;
                work += rings[from][rank].read((type, buffer, index, length) ->
                    handler.onFrame(peer, buffer, index, length), limit);
            }
            work += matchMoves(handler);
            while (!moved[rank].isEmpty())
            {
                handler.onMovedByAddress(moved[rank].poll());
                work++;
            }
            return work;
        }

        /** Receiver side: a posted buffer and the sender's move for its tag meet here; the bytes cross at once. */
        private int matchMoves(final FrameHandler handler)
        {
            int work = 0;
            for (int i = 0; i < posted[rank].size(); i++)
            {
                final Move in = posted[rank].get(i);
                final List<Move> out = outbound[in.peer];
                for (int k = 0; k < out.size(); k++)
                {
                    final Move o = out.get(k);
                    if (o.peer == rank && o.tag == in.tag)
                    {
                        if (in.address != 0)
                        {
                            if (o.address != 0)
                            {
                                UnsafeApi.copyMemory(o.address, in.address, o.length);
                            }
                            else
                            {
                                UnsafeApi.setMemory(in.address, o.length, (byte)0);
                            }
                        }
                        out.remove(k);
                        posted[rank].remove(i--);
                        moved[in.peer].add(o.id);
                        handler.onMovedByAddress(in.id);
                        work++;
                        break;
                    }
                }
            }
            return work;
        }

        @Override
        public void checkLiveness(final FrameHandler handler)
        {
            for (int p = 0; p < size; p++)
            {
                if (dead[p] && !reported[p] && p != rank)
                {
                    reported[p] = true;
                    final int peer = p; // drain what it wrote before it died: those messages were sent
                    rings[p][rank].read((type, buffer, index, length) -> handler.onFrame(peer, buffer, index, length),
                        Integer.MAX_VALUE);
                    handler.onPeerFailure(p, "loopback rank " + p + " was killed");
                }
            }
        }

        @Override
        public void close()
        {
        }
    }

    private final class Link extends RingChannel
    {
        private final int from;
        private final int to;

        Link(final int from, final int to)
        {
            super(rings[from][to]);
            this.from = from;
            this.to = to;
        }

        @Override
        public String kind()
        {
            return "loopback";
        }

        @Override
        public boolean movesByAddress()
        {
            return movesByAddress;
        }

        @Override
        public boolean withdrawsByAddress()
        {
            return movesByAddress;
        }

        @Override
        public void sendByAddress(final long address, final int length, final int tag, final int id)
        {
            outbound[from].add(new Move(to, address, length, tag, id));
        }

        @Override
        public void receiveByAddress(final long address, final int length, final int tag, final int id)
        {
            posted[from].add(new Move(to, address, length, tag, id));
        }

        @Override
        public void cancelByAddress(final int id)
        {
            for (final Move m : outbound[from])
            {
                if (m.peer == to && m.id == id)
                {
                    m.address = 0;
                }
            }
            for (final Move m : posted[from])
            {
                if (m.peer == to && m.id == id)
                {
                    m.address = 0;
                }
            }
        }
    }
}
