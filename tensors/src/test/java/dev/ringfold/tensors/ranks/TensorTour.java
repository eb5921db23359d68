package dev.ringfold.tensors.ranks;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.ArrowVectors;
import dev.ringfold.tensors.Checkpoint;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.NodeSharedAllocator;
import dev.ringfold.tensors.SharedTensors;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.TensorShapeException;
import dev.ringfold.tensors.Tensors;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tensors API in one runnable tour; docs/tensors.md quotes its sections (between the "[snippet name]" and
 * "[end]" comments, kept identical by DocSnippetsTest). TensorTourTest runs it on 2 ranks; by hand, after make:
 * {@code bin/mpjrun -np 2 -cp tensors/target/test-classes:tensors/target/classes dev.ringfold.tensors.ranks.TensorTour}
 */
public final class TensorTour
{
    private TensorTour()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        try (Ringfold rf = Ringfold.init();
             BufferAllocator allocator = new RootAllocator())
        {
            views(allocator);
            errors(allocator);
            vectors(allocator);
            checkpoint(allocator);
            shared(rf, allocator);
            check(allocator.getAllocatedMemory() == 0, "every tensor closed");
            System.out.println("tour done on rank " + rf.world().rank());
        }
    }

    private static void views(final BufferAllocator allocator)
    {
        // [snippet views]
        try (Tensor w = Tensors.fromArray(allocator, new float[] {1, 2, 3, 4, 5, 6}, 2, 3).name("w");
             Tensor row = w.slice(0, 1, 2);   // [1,3]: row 1, same bytes
             Tensor col = w.slice(1, 2, 3);   // [2,1]: column 2, same bytes, strided
             Tensor flat = w.reshape(-1))     // [6]: same bytes
        {
            UnsafeBuffer ub = w.unsafeBuffer(); // no copy: what transports and collectives work on
            ub.putFloat(4 * 4, 50f);            // element [1,1]
            check(row.getFloat(0, 1) == 50f && flat.getFloat(4) == 50f, "one set of bytes");
            check(Arrays.equals(col.toFloatArray(), new float[] {3, 6}), "a strided view");
            MemorySegment seg = w.segment();    // no copy, any size (UnsafeBuffer stops at 2 GiB)
            check(seg.address() == w.address() && seg.byteSize() == 24, "the segment is the tensor");
        }
        // [end]
        // [snippet halfs]
        try (Tensor bf = Tensors.fromFloats(allocator, DType.BF16, new float[] {1f, 1.00390625f, 3.14159f}))
        {
            // rounded to nearest even: 1+2^-8 is halfway between 1 and 1+2^-7, and goes to 1
            check(Arrays.equals(bf.toFloatArray(), new float[] {1f, 1f, 3.140625f}), "bf16 rounding");
            check(bf.byteSize() == 6, "two bytes an element");
        }
        // [end]
    }

    private static void errors(final BufferAllocator allocator)
    {
        // [snippet errors]
        try (Tensor a = Tensors.zeros(allocator, DType.F32, 2, 3).name("a");
             Tensor b = Tensors.zeros(allocator, DType.F32, 3, 2).name("b"))
        {
            a.copyFrom(b);
        }
        catch (TensorShapeException e)
        {
            // copy into tensor 'a' F32[2,3] from tensor 'b' F32[3,2]: expected shape [2,3], given [3,2]
            System.out.println(e.getMessage());
        }
        // [end]
    }

    private static void vectors(final BufferAllocator allocator)
    {
        // [snippet vectors]
        try (Tensor m = Tensors.fromArray(allocator, new int[] {1, 2, 3, 4, 5, 6}, 3, 2);
             FieldVector v = ArrowVectors.toVector(m, "m");   // FixedSizeList[2] of Int, 3 rows, m's bytes
             Tensor back = ArrowVectors.toTensor(v))          // I32[3,2], the same bytes again
        {
            check(((FixedSizeListVector)v).getObject(1).equals(Arrays.asList(3, 4)), "row 1");
            check(back.address() == m.address(), "no copy either way");
        }
        // [end]
    }

    private static void checkpoint(final BufferAllocator allocator) throws IOException
    {
        final Path dir = Files.createTempDirectory("tour");
        // [snippet checkpoint]
        Path file = dir.resolve("model.arrow");
        try (Tensor w = Tensors.fromArray(allocator, new float[] {0.5f, -1f, 2f, 4f}, 2, 2);
             Tensor step = Tensors.zeros(allocator, DType.I64).setLong(1000))
        {
            Map<String, Tensor> model = new LinkedHashMap<>();
            model.put("layer1.weight", w);
            model.put("step", step);
            Checkpoint.write(file, model);                        // tmp file, fsync, atomic rename
        }
        try (Checkpoint ckpt = Checkpoint.read(file, allocator))  // mapped: the page cache serves the bytes
        {
            Tensor w = ckpt.get("layer1.weight");
            check(w.dtype() == DType.F32 && w.getFloat(1, 1) == 4f, "weights back");
            check(ckpt.get("step").getLong() == 1000, "a scalar back");
        }
        // [end]
        Files.delete(file);
        Files.delete(dir);
    }

    private static void shared(final Ringfold rf, final BufferAllocator allocator)
    {
        // [snippet shared]
        try (Communicator node = rf.world().splitByNode();
             NodeSharedAllocator shared = NodeSharedAllocator.create(rf, allocator);
             Tensor grad = shared.allocate("grad", DType.F32, 1024))   // /dev/shm/ringfold-<job>-t<rank>-<n>
        {
            grad.fill((double)(node.rank() + 1));
            Tensor[] all = SharedTensors.exchange(node, shared, grad, 99); // every node peer's grad, mapped
            try
            {
                float sum = 0;
                for (Tensor peer : all)
                {
                    sum += peer.getFloat(1023);  // read straight from the neighbour's buffer
                }
                check(sum == node.size() * (node.size() + 1) / 2f, "the sum of 1..n");
            }
            finally
            {
                for (Tensor peer : all)
                {
                    peer.close();
                }
            }
            node.barrier(); // nobody reads a grad after this: the files go as the last users close
        }
        // [end]
    }

    private static void check(final boolean condition, final String what)
    {
        if (!condition)
        {
            throw new AssertionError(what);
        }
    }
}
