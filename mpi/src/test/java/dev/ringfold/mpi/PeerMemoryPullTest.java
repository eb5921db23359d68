package dev.ringfold.mpi;

import dev.ringfold.mpi.transport.Channel;
import dev.ringfold.mpi.transport.RingChannel;
import dev.ringfold.mpi.internal.CrossMemory;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The cross-memory pull in one process: rank 0 (receiver) and rank 1 (sender) are two {@link PeerMemoryPull}s whose
 * peer is this very process, joined by a real Agrona ring (rank 0 to rank 1, for the HELP frame) and one
 * cooperative-copy slot, as shared memory joins two ranks. Real process_vm_readv/writev calls throughout.
 */
@Timeout(60)
class PeerMemoryPullTest
{
    private static final int MIB = 1 << 20;

    private final UnsafeBuffer slot = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
    private final OneToOneRingBuffer toSender = new OneToOneRingBuffer(new UnsafeBuffer(
        ByteBuffer.allocateDirect(4096 + RingBufferDescriptor.TRAILER_LENGTH)));
    private PeerMemoryPull receiver;
    private PeerMemoryPull sender;

    private final class Link extends RingChannel
    {
        private final boolean copiesTogether;

        Link(final OneToOneRingBuffer ring, final boolean copiesTogether)
        {
            super(ring);
            this.copiesTogether = copiesTogether;
        }

        @Override
        public String kind()
        {
            return "test";
        }

        @Override
        public boolean pullsFromPeerMemory()
        {
            return true;
        }

        @Override
        public UnsafeBuffer copyTogetherSlot(final boolean inbound)
        {
            return copiesTogether ? slot : null; // one slot: the pair has one direction here
        }
    }

    private PeerMemoryPull pull(final int rank, final boolean copiesTogether, final long pid)
    {
        final OneToOneRingBuffer unused = new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(1024 + RingBufferDescriptor.TRAILER_LENGTH)));
        final Channel[] channels = new Channel[2];
        channels[rank] = new Link(unused, false);
        channels[1 - rank] = new Link(rank == 0 ? toSender : unused, copiesTogether);
        final long[] pids = {pid, pid};
        return new PeerMemoryPull(rank, new CrossMemory(), channels, pids, 2 * MIB);
    }

    @BeforeEach
    void linux()
    {
        assumeTrue(CrossMemory.supported(), "cross-memory attach is Linux's");
    }

    @AfterEach
    void close()
    {
        if (receiver != null)
        {
            receiver.close();
        }
        if (sender != null)
        {
            sender.close();
        }
    }

    private static UnsafeBuffer pattern(final int bytes, final int seed)
    {
        final UnsafeBuffer b = new UnsafeBuffer(ByteBuffer.allocateDirect(bytes));
        for (int i = 0; i < bytes; i += 4)
        {
            b.putInt(i, i * 31 + seed);
        }
        return b;
    }

    private static void assertSameBytes(final UnsafeBuffer expected, final UnsafeBuffer actual, final int bytes)
    {
        for (int i = 0; i < bytes; i += 4)
        {
            if (expected.getInt(i) != actual.getInt(i))
            {
                throw new AssertionError("int at byte " + i + " is " + actual.getInt(i) + ", expected " +
                    expected.getInt(i));
            }
        }
    }

    @Test
    void aPullCopiesThePeersBufferInOneReadAndTrustsThePeerAfterwards()
    {
        receiver = pull(0, false, ProcessHandle.current().pid());
        final UnsafeBuffer source = pattern(3 * MIB + 12, 7);
        final UnsafeBuffer target = new UnsafeBuffer(ByteBuffer.allocateDirect(3 * MIB + 12));
        assertTrue(receiver.mayPullFrom(1));
        assertTrue(receiver.exposesTo(1));
        assertEquals(PeerMemoryPull.Outcome.PULLED,
            receiver.pull(1, target.addressOffset(), source.addressOffset(), 3 * MIB + 12, 5));
        assertSameBytes(source, target, 3 * MIB + 12);
        assertEquals(0, toSender.size(), "no copy together without a slot: no HELP");
    }

    @Test
    void aPullAllocatesNothingWhetherOrNotTheJitHasCompiledIt()
    {
        receiver = pull(0, false, ProcessHandle.current().pid());
        final UnsafeBuffer source = pattern(4096, 3);
        final UnsafeBuffer target = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final int pulls = 2_000;
        for (int i = 0; i < pulls; i++)
        {
            receiver.pull(1, target.addressOffset(), source.addressOffset(), 4096, 5); // links the calls
        }
        long quietest = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < pulls; i++)
            {
                receiver.pull(1, target.addressOffset(), source.addressOffset(), 4096, 5);
            }
            quietest = Math.min(quietest, threads.getCurrentThreadAllocatedBytes() - before);
        }
        // these rounds run interpreted or C1-compiled: a handle that captured errno made a 40-byte segment per call
        assertTrue(quietest < pulls * 8L, quietest + " bytes allocated by " + pulls + " pulls");
        assertSameBytes(source, target, 4096);
    }

    @Test
    void aRefusedReadIsNotTriedAgainUntilAReplacementComes()
    {
        receiver = pull(0, false, ProcessHandle.current().pid());
        final UnsafeBuffer target = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        // an address the peer has not mapped: the kernel refuses (EFAULT), as it does where ptrace is not permitted
        assertEquals(PeerMemoryPull.Outcome.REFUSED, receiver.pull(1, target.addressOffset(), 8L, 4096, 5));
        assertFalse(receiver.mayPullFrom(1));
        assertFalse(receiver.exposesTo(1), "a send to it no longer offers its buffer either");
        receiver.forget(1);
        assertTrue(receiver.mayPullFrom(1));
    }

    @Test
    void aPeerWhoseProcessIsGoneIsReportedGone() throws Exception
    {
        final Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        receiver = pull(0, false, gone.pid());
        final UnsafeBuffer source = pattern(4096, 1);
        final UnsafeBuffer target = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        assertEquals(PeerMemoryPull.Outcome.PEER_GONE,
            receiver.pull(1, target.addressOffset(), source.addressOffset(), 4096, 5));
        assertTrue(receiver.mayPullFrom(1), "gone is not refused: a replacement may come");
    }

    @Test
    void aLargeMessageIsCopiedTogetherWhenTheSenderAnswersTheHelpFrame() throws Exception
    {
        final long self = ProcessHandle.current().pid();
        receiver = pull(0, true, self);
        sender = pull(1, true, self);
        final int bytes = 16 * MIB + 4;
        final UnsafeBuffer source = pattern(bytes, 3);
        final UnsafeBuffer target = new UnsafeBuffer(ByteBuffer.allocateDirect(bytes));
        final UnsafeBuffer small = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        // the first read to a peer goes alone: a copy together only once a read has worked
        assertEquals(PeerMemoryPull.Outcome.PULLED,
            receiver.pull(1, small.addressOffset(), source.addressOffset(), 64, 4));
        assertEquals(0, toSender.size());

        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger helps = new AtomicInteger();
        final HelpFrame help = new HelpFrame();
        final Thread senderThread = new Thread(() ->
        {
            // it drains the ring before it stops: where the receiver copied every chunk before this thread read
            // the frame, the frame is still answered (late, and then it claims nothing)
            while (!stop.get() || toSender.size() > 0)
            {
                toSender.read((type, buffer, index, length) ->
                {
                    help.wrap(buffer, index);
                    assertEquals(Frames.HELP, help.type());
                    assertEquals(5, help.get(HelpFrame.SEND_ID));
                    assertEquals(bytes, help.get(HelpFrame.MESSAGE_LENGTH));
                    assertEquals(target.addressOffset(), help.get(HelpFrame.ADDRESS));
                    sender.help(0, source.addressOffset(), help);
                    helps.incrementAndGet();
                });
                Thread.onSpinWait();
            }
        }, "sender");
        senderThread.start();
        try
        {
            assertEquals(PeerMemoryPull.Outcome.PULLED,
                receiver.pull(1, target.addressOffset(), source.addressOffset(), bytes, 5));
        }
        finally
        {
            stop.set(true);
            senderThread.join();
        }
        assertSameBytes(source, target, bytes);
        assertEquals(1, helps.get(), "one HELP frame asked the sender");
    }

    @Test
    void aHelpFrameThatArrivesAfterItsTransferEndedWritesNothing()
    {
        final long self = ProcessHandle.current().pid();
        receiver = pull(0, true, self);
        sender = pull(1, true, self);
        final int bytes = 4 * MIB;
        final UnsafeBuffer source = pattern(bytes, 3);
        final UnsafeBuffer target = new UnsafeBuffer(ByteBuffer.allocateDirect(bytes));
        assertEquals(PeerMemoryPull.Outcome.PULLED,
            receiver.pull(1, target.addressOffset(), source.addressOffset(), 64, 4));
        // nobody answers the HELP during the transfer: the receiver copies every chunk itself
        assertEquals(PeerMemoryPull.Outcome.PULLED,
            receiver.pull(1, target.addressOffset(), source.addressOffset(), bytes, 5));
        assertSameBytes(source, target, bytes);
        final UnsafeBuffer late = new UnsafeBuffer(new byte[HelpFrame.FRAME_LENGTH]);
        assertEquals(1, toSender.read((type, buffer, index, length) -> late.putBytes(0, buffer, index, length)));
        assertEquals(Frames.HELP, new HelpFrame().wrap(late, 0).type());
        assertTrue(new HelpFrame().wrap(late, 0).get(HelpFrame.GENERATION) != 0);
        final UnsafeBuffer changed = pattern(bytes, 99);
        sender.help(0, changed.addressOffset(), new HelpFrame().wrap(late, 0));
        assertSameBytes(source, target, bytes); // the late helper claimed no chunk
    }
}
