package dev.ringfold.hpctests.misuse;

import dev.ringfold.collectives.CollectiveMismatchException;
import dev.ringfold.collectives.Collectives;
import dev.ringfold.hpctests.p2p.Check;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.CommunicatorClosedException;
import dev.ringfold.mpi.DeadlineExceededException;
import dev.ringfold.mpi.Request;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.mpi.TruncationException;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.TensorClosedException;
import dev.ringfold.tensors.TensorDTypeException;
import dev.ringfold.tensors.TensorIndexException;
import dev.ringfold.tensors.TensorNotContiguousException;
import dev.ringfold.tensors.TensorShapeException;
import dev.ringfold.tensors.Tensors;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.arrow.memory.ArrowBuf;

import dev.ringfold.tensors.ArrowMessages;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The misuse table of docs/reliability.md, case by case, on 2 ranks: each call must raise the exception and message
 * the table lists, and after each the job goes on correctly (a checked exchange and all-reduce on the same
 * communicators). Run with RINGFOLD_CHECK_COLLECTIVES=1. Prints "misuse ID Exception: message" per case.
 */
public final class MisuseRanks
{
    private static Communicator world;
    private static Collectives coll;
    private static int me;
    private static int cases;

    public static void main(final String[] args)
    {
        try (Ringfold rf = Ringfold.init(); BufferAllocator alloc = new RootAllocator())
        {
            world = rf.world();
            coll = Collectives.of(world);
            me = world.rank();
            final int peer = 1 - me;
            final byte[] bytes = new byte[16];
            final UnsafeBuffer buf = new UnsafeBuffer(new byte[16]);

            // point-to-point
            misuse("p2p-dest", IllegalArgumentException.class, "dest=2 is outside [0, 2)", () -> world.send(bytes, 0, 4, 2, 1));
            misuse("p2p-source", IllegalArgumentException.class, "source=-4 is outside [0, 2) and is not ANY_SOURCE or PROC_NULL",
                () -> world.recv(bytes, 0, 4, -4, 1));
            misuse("p2p-tag", IllegalArgumentException.class, "tag=-5 must be >= 0", () -> world.send(bytes, 0, 4, peer, -5));
            misuse("p2p-count", IllegalArgumentException.class, "count=-1 must be >= 0", () -> world.send(bytes, 0, -1, peer, 1));
            misuse("p2p-region", IndexOutOfBoundsException.class, "offset=8 count=10 does not fit an array of length 16",
                () -> world.send(bytes, 8, 10, peer, 1));
            misuse("p2p-null", NullPointerException.class, "the buffer is null", () -> world.send((byte[])null, 0, 4, peer, 1));
            misuse("p2p-read-only", IllegalArgumentException.class, "read-only",
                () -> world.recv(ByteBuffer.allocateDirect(16).asReadOnlyBuffer(), peer, 1));
            final ArrowBuf released = alloc.buffer(64);
            released.close();
            misuse("p2p-released-arrowbuf", IllegalStateException.class, "has been released",
                () -> ArrowMessages.send(world, released, 0, 8, peer, 1));
            final Request inFlight = world.irecv(bytes, 0, 4, peer, 99);
            misuse("p2p-request-reuse", IllegalStateException.class, "is still in flight",
                () -> world.irecv(bytes, 0, 4, peer, 98, inFlight));
            misuse("p2p-deadline", DeadlineExceededException.class, "timed out after 50 ms waiting on receive of up to 4 bytes",
                () -> inFlight.await(Duration.ofMillis(50)));
            misuse("p2p-truncation", TruncationException.class, "has 16 bytes but the receive buffer holds 4", () ->
                {
                    final Request s = world.isend(bytes, 0, 16, peer, 7);
                    try
                    {
                        world.recv(bytes, 0, 4, peer, 7);
                    }
                    finally
                    {
                        s.await();
                    }
                });
            // nulls among the requests are skipped, as Request's docs say; (null, null) is the two-request form
            Request.waitAll((Request)null, null);
            final Request exchanged = world.isend(bytes, 0, 4, peer, 5);
            world.recv(bytes, 0, 4, peer, 5);
            Request.waitAll(null, exchanged);
            Request.waitAll(exchanged, null);
            misuse("p2p-any-source-send", IllegalArgumentException.class, "dest=" + Communicator.ANY_SOURCE + " is outside",
                () -> world.send(buf, 0, 4, Communicator.ANY_SOURCE, 1));
            misuse("comm-split-color", IllegalArgumentException.class, "color -7 must be >= 0 or UNDEFINED", () -> world.split(-7, 0));
            misuse("comm-timeout", IllegalArgumentException.class, "timeout: PT-1S must be a duration >= 0",
                () -> world.timeout(Duration.ofSeconds(-1)));
            final Communicator freed = world.dup();
            freed.close();
            misuse("comm-closed-p2p", CommunicatorClosedException.class, "has been closed", () -> freed.send(bytes, 0, 4, peer, 1));
            misuse("comm-closed-collective", CommunicatorClosedException.class, "has been closed",
                () -> Collectives.of(freed).barrier());

            // collectives
            final Tensor t = Tensors.zeros(alloc, DType.F32, 4, 4);
            misuse("coll-root", IllegalArgumentException.class, "root=2 is outside [0, 2)", () -> coll.broadcast(t, 2));
            misuse("coll-count", IllegalArgumentException.class, "count=-1 must be >= 0",
                () -> coll.allReduce(t.address(), t.address(), -1, DType.F32, ReduceOp.SUM));
            misuse("coll-op-dtype", IllegalArgumentException.class, "BXOR is not defined for F32", () -> coll.allReduce(t, ReduceOp.BXOR));
            misuse("coll-v-counts", IllegalArgumentException.class, "need one entry per rank (2), got 3",
                () -> coll.allGatherv(t.address(), t.address(), new long[3], new long[3], DType.F32));
            misuse("coll-scan-avg", IllegalArgumentException.class, "AVG is not a prefix operation",
                () -> coll.scan(t.address(), t.address(), 4, DType.F32, ReduceOp.AVG));
            final Tensor strided = t.slice(1, 0, 2);
            misuse("coll-strided-tensor", IllegalArgumentException.class, "is not contiguous",
                () -> coll.allReduce(strided, ReduceOp.SUM));
            misuse("coll-array-region", IndexOutOfBoundsException.class, "offset=2 count=4 does not fit an array of length 4",
                () -> coll.allReduce(new float[4], 2, 4, ReduceOp.SUM));
            misuse("coll-mismatch-count", CollectiveMismatchException.class, "collective calls do not match",
                () -> coll.allReduce(t.address(), t.address(), me == 0 ? 4 : 8, DType.F32, ReduceOp.SUM));
            misuse("coll-mismatch-root", CollectiveMismatchException.class, "root=" + me,
                () -> coll.broadcast(t, me));
            misuse("coll-mismatch-dtype", CollectiveMismatchException.class, "I32",
                () -> coll.allReduce(t.address(), t.address(), 4, me == 0 ? DType.F32 : DType.I32, ReduceOp.MAX));
            misuse("coll-mismatch-operation", CollectiveMismatchException.class, "barrier(", () ->
                {
                    if (me == 0)
                    {
                        coll.barrier();
                    }
                    else
                    {
                        coll.allReduce(t, ReduceOp.SUM);
                    }
                });

            // tensors
            final Tensor other = Tensors.zeros(alloc, DType.F32, 2, 8);
            final Tensor ints = Tensors.zeros(alloc, DType.I32, 4, 4);
            misuse("tensor-shape", TensorShapeException.class, "copy into", () -> t.copyFrom(other));
            misuse("tensor-dtype", TensorDTypeException.class, "copy into", () -> t.copyFrom(ints));
            misuse("tensor-index", TensorIndexException.class, "index [4, 0] into", () -> t.getFloat(4, 0));
            misuse("tensor-slice", TensorIndexException.class, "slice [3, 9) of dimension 0", () -> t.slice(0, 3, 9));
            misuse("tensor-reshape", TensorShapeException.class, "", () -> t.reshape(3, 5));
            misuse("tensor-strided-reshape", TensorNotContiguousException.class, "cannot reshape", () -> strided.reshape(8));
            misuse("tensor-to-array-dtype", TensorDTypeException.class, "expected I8, U8 or I32, given F32", t::toIntArray);
            final Tensor closed = Tensors.zeros(alloc, DType.F32, 4);
            closed.close();
            misuse("tensor-closed", TensorClosedException.class, "the tensor is closed", () -> coll.allReduce(closed, ReduceOp.SUM));

            strided.close();
            other.close();
            ints.close();
            t.close();
            world.barrier();
            System.out.println("ok misuse rank " + me + ": " + cases + " cases");
        }
    }

    /** The call must raise {@code type} with {@code fragment} in its message; then the job must still work. */
    private static void misuse(final String id, final Class<? extends Throwable> type, final String fragment,
        final Runnable call)
    {
        final Throwable ex = Check.raises(type, call, id);
        final String message = ex.getMessage();
        Check.that(message != null && message.contains(fragment), id + ": message '" + message + "' lacks '" + fragment + "'");
        System.out.println("misuse " + id + " " + ex.getClass().getSimpleName() + ": " + message);
        cases++;
        stillWorks();
    }

    private static void stillWorks()
    {
        final byte[] token = {(byte)(me + 1)};
        final byte[] got = new byte[1];
        world.sendRecv(token, 0, 1, 1 - me, 3, got, 0, 1, 1 - me, 3);
        Check.equal(2 - me, got[0], "point-to-point after a rejected call");
        final int[] sum = {me + 1};
        coll.allReduce(sum, 0, 1, ReduceOp.SUM);
        Check.equal(3, sum[0], "all-reduce after a rejected call");
    }
}
