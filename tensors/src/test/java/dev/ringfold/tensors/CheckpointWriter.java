package dev.ringfold.tensors;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.nio.file.Path;
import java.util.Map;

/** {@code CheckpointWriter FILE}: writes a 64 MiB checkpoint to FILE over and over, for a test to kill it mid-write. */
public final class CheckpointWriter
{
    private CheckpointWriter()
    {
    }

    public static void main(final String[] args)
    {
        final Path file = Path.of(args[0]);
        try (BufferAllocator allocator = new RootAllocator();
             Tensor weights = Tensors.zeros(allocator, DType.F32, 16 << 20))
        {
            while (true)
            {
                Checkpoint.write(file, Map.of("weights", weights));
            }
        }
    }
}
