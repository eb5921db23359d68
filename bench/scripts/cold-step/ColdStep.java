import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import dev.ringfold.tensors.nn.Activations;
import dev.ringfold.tensors.nn.Sequential;
import dev.ringfold.tensors.nn.SoftmaxCrossEntropy;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * A new JVM's first training steps of the Fashion-MNIST MLP (784-256-128-10) at one batch size: the model's build
 * time, then each of the first 15 forward and backward passes, ms (what a replacement rank pays before its first
 * step completes; BENCHMARKS.md, "Thirteenth session").
 * <pre>
 * javac -cp 'build/lib/*' -d /tmp/cs bench/scripts/cold-step/ColdStep.java
 * bin/mpjrun -np 1 -cp /tmp/cs ColdStep 32      # the ranks' JVM flags and AOT cache
 * </pre>
 */
public final class ColdStep
{
    public static void main(final String[] args)
    {
        final long start = System.nanoTime();
        final int batch = Integer.parseInt(args[0]);
        try (BufferAllocator allocator = new RootAllocator();
             Sequential model = Sequential.builder(784).linear(256).relu().linear(128).relu().linear(10)
                 .build(allocator, 42);
             Activations activations = model.newActivations(allocator, batch);
             SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(allocator, 10, batch);
             Tensor x = Tensors.zeros(allocator, DType.F32, batch, 784);
             Tensor y = Tensors.zeros(allocator, DType.I32, batch))
        {
            final StringBuilder line = new StringBuilder("build " + (System.nanoTime() - start) / 1_000_000 +
                " ms; steps ms:");
            for (int step = 0; step < 15; step++)
            {
                final long t = System.nanoTime();
                model.zeroGradients();
                loss.forward(model.forward(activations, x, batch), y, batch);
                model.backward(activations, loss.backward(), batch, false);
                line.append(' ').append((System.nanoTime() - t) / 100_000 / 10.0);
            }
            System.out.println(line);
        }
    }
}
