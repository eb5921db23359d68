package dev.ringfold.tensors.nn;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.LeakCheckingAllocator;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.TensorShapeException;
import dev.ringfold.tensors.Tensors;
import dev.ringfold.tensors.kernels.AllocationFree;
import dev.ringfold.tensors.kernels.Init;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

final class LayersTest
{
    private static final int IN = 6;
    private static final int CLASSES = 4;
    private static final Sequential.Builder SMALL = Sequential.builder(IN).linear(9).relu().linear(7).relu()
        .linear(CLASSES);

    @RegisterExtension
    final LeakCheckingAllocator allocator = new LeakCheckingAllocator();

    @Test
    void gradientsMatchFiniteDifferences()
    {
        try (Batch b = batch(11, 5, 3))
        {
            final float[] inputGradient = b.backward(true).toFloatArray();
            final float h = 1e-2f;
            int checked = 0;
            for (int p = 0; p < b.model().parameters().size(); p++)
            {
                final Tensor param = b.model().parameters().get(p);
                final float[] grad = b.model().gradients().get(p).toFloatArray();
                for (int i = 0; i < param.elementCount(); i += 3)
                {
                    assertClose(b.centralDifference(param, i, h), grad[i], param.name() + "[" + i + "]");
                    checked++;
                }
            }
            for (int i = 0; i < b.rows() * IN; i++)
            {
                assertClose(b.centralDifference(b.x(), i, h), inputGradient[i], "input[" + i + "]");
            }
            assertTrue(checked > 40, "checked " + checked + " parameter elements");
        }
    }

    @Test
    void sameSeedSameBitsAndTrainingIsDeterministic()
    {
        final float[][] first = trainAFewSteps(21, true);
        final float[][] again = trainAFewSteps(21, true);
        for (int p = 0; p < first.length; p++)
        {
            assertArrayEquals(first[p], again[p], "parameter " + p + " after the same steps");
        }
        final float[][] sgd = trainAFewSteps(21, false);
        assertArrayEquals(sgd[0], trainAFewSteps(21, false)[0], "SGD momentum, run twice");
        try (Sequential a = SMALL.build(allocator, 5);
             Sequential b = SMALL.build(allocator, 5);
             Sequential c = SMALL.build(allocator, 6))
        {
            assertArrayEquals(a.parameters().get(0).toFloatArray(), b.parameters().get(0).toFloatArray());
            assertFalse(java.util.Arrays.equals(a.parameters().get(0).toFloatArray(),
                c.parameters().get(0).toFloatArray()), "another seed, other weights");
            assertEquals("layer0.weight", a.parameters().get(0).name());
            assertEquals("layer4.bias", a.parameters().get(5).name());
        }
    }

    @Test
    void aRangeOfLayersIsThatPartOfTheWholeModel()
    {
        final int rows = 4;
        try (Sequential whole = SMALL.build(allocator, 8);
             Sequential front = SMALL.build(allocator, 8, 0, 2);
             Sequential back = SMALL.build(allocator, 8, 2, SMALL.size());
             Activations wholeActs = whole.newActivations(allocator, rows);
             Activations frontActs = front.newActivations(allocator, rows);
             Activations backActs = back.newActivations(allocator, rows);
             Tensor x = randomInput(rows, 9))
        {
            assertEquals(whole.parameters().size(), front.parameters().size() + back.parameters().size());
            for (int p = 0; p < whole.parameters().size(); p++)
            {
                final Tensor part = p < 2 ? front.parameters().get(p) : back.parameters().get(p - 2);
                assertEquals(whole.parameters().get(p).name(), part.name());
                assertArrayEquals(whole.parameters().get(p).toFloatArray(), part.toFloatArray(), part.name());
            }
            final float[] expected = whole.forward(wholeActs, x, rows).toFloatArray();
            final float[] staged = back.forward(backActs, front.forward(frontActs, x, rows), rows).toFloatArray();
            assertArrayEquals(expected, staged, "two stages give the whole model's logits");
            assertEquals(SMALL.parameterCount(0) + SMALL.parameterCount(2) + SMALL.parameterCount(4),
                whole.parameterCount());
            assertEquals(0, SMALL.parameterCount(1));
        }
    }

    @Test
    void aSequentialNestedInAnotherBacksPropagatesAsTheFlatOne()
    {
        final int rows = 5;
        try (Sequential flat = SMALL.build(allocator, 19);
             Sequential nested = new Sequential(List.of(SMALL.build(allocator, 19, 0, 3),
                 SMALL.build(allocator, 19, 3, SMALL.size())));
             Activations flatActs = flat.newActivations(allocator, rows);
             Activations nestedActs = nested.newActivations(allocator, rows);
             SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(allocator, CLASSES, rows);
             Tensor x = randomInput(rows, 12);
             Tensor y = labels(rows, 13))
        {
            flat.zeroGradients();
            nested.zeroGradients();
            loss.forward(flat.forward(flatActs, x, rows), y, rows);
            final float[] flatInput = flat.backward(flatActs, loss.backward(), rows, true).toFloatArray();
            loss.forward(nested.forward(nestedActs, x, rows), y, rows);
            final float[] nestedInput = nested.backward(nestedActs, loss.backward(), rows, true).toFloatArray();
            assertArrayEquals(flatInput, nestedInput, "input gradient");
            for (int p = 0; p < flat.gradients().size(); p++)
            {
                assertArrayEquals(flat.gradients().get(p).toFloatArray(), nested.gradients().get(p).toFloatArray(),
                    flat.gradients().get(p).name());
            }
        }
    }

    @Test
    void gradientsAccumulateUntilZeroed()
    {
        final int rows = 6;
        final int half = rows / 2;
        try (Sequential model = SMALL.build(allocator, 13);
             Activations whole = model.newActivations(allocator, rows);
             Activations first = model.newActivations(allocator, half);
             Activations second = model.newActivations(allocator, half);
             SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(allocator, CLASSES, rows);
             Tensor x = randomInput(rows, 5);
             Tensor y = labels(rows, 6);
             Tensor x2 = x.slice(0, half, rows);
             Tensor y2 = y.slice(0, half, rows))
        {
            model.zeroGradients();
            loss.forward(model.forward(whole, x, rows), y, rows);
            model.backward(whole, loss.backward(), rows, false);
            final List<float[]> once = snapshot(model.gradients());

            model.zeroGradients();
            // both micro-batches forward first (two in flight), then their backwards, each a mean over all rows
            model.forward(first, x, half);
            model.forward(second, x2, half);
            loss.forward(second.output(), y2, half);
            model.backward(second, loss.backward(rows), half, false);
            loss.forward(first.output(), y, half);
            model.backward(first, loss.backward(rows), half, false);
            final List<float[]> halves = snapshot(model.gradients());
            for (int p = 0; p < once.size(); p++)
            {
                for (int i = 0; i < once.get(p).length; i++)
                {
                    assertEquals(once.get(p)[i], halves.get(p)[i], 1e-6 + 1e-5 * Math.abs(once.get(p)[i]),
                        "gradient " + p + "[" + i + "] of two micro-batches vs the whole batch");
                }
            }

            // a second backward of the same batch doubles the gradients
            model.zeroGradients();
            for (final float[] g : snapshot(model.gradients()))
            {
                for (final float v : g)
                {
                    assertEquals(0.0f, v);
                }
            }
            for (int round = 0; round < 2; round++)
            {
                loss.forward(model.forward(whole, x, rows), y, rows);
                model.backward(whole, loss.backward(), rows, false);
            }
            final List<float[]> twice = snapshot(model.gradients());
            for (int p = 0; p < once.size(); p++)
            {
                for (int i = 0; i < once.get(p).length; i++)
                {
                    assertEquals(2.0f * once.get(p)[i], twice.get(p)[i], 1e-6 + 1e-5 * Math.abs(once.get(p)[i]),
                        "gradient " + p + "[" + i + "] after two backwards");
                }
            }
        }
    }

    @Test
    void gradientReadyFiresInReverseOrderBeforeEarlierLayersRun()
    {
        try (Batch b = batch(17, 3, 7))
        {
            final List<Integer> order = new ArrayList<>();
            final List<Boolean> firstLayerUntouched = new ArrayList<>();
            final Tensor firstWeightGradient = b.model().gradients().get(0);
            b.model().gradientListener((index, gradient) ->
            {
                assertTrue(gradient == b.model().gradients().get(index), "the listener gets the gradient tensor");
                order.add(index);
                firstLayerUntouched.add(allZero(firstWeightGradient));
            });
            assertNull(b.backward(false));
            assertEquals(List.of(5, 4, 3, 2, 1, 0), order);
            assertEquals(List.of(true, true, true, true, false, false), firstLayerUntouched,
                "later layers' gradients are announced before the first layer's backward runs");
        }
    }

    @Test
    void sgdMomentumStepsAsComputedByHand()
    {
        try (Tensor p = Tensors.fromArray(allocator, new float[]{ 1.0f, -2.0f }).name("p");
             Tensor g = Tensors.fromArray(allocator, new float[]{ 0.5f, 0.25f });
             SgdMomentum sgd = new SgdMomentum(allocator, List.of(p), List.of(g), 0.1f, 0.9f))
        {
            sgd.step();   // v = g = (0.5, 0.25); p -= 0.1 v
            assertArrayEquals(new float[]{ 0.95f, -2.025f }, p.toFloatArray(), 1e-7f);
            sgd.step();   // v = 0.9 v + g = (0.95, 0.475); p -= 0.1 v
            assertArrayEquals(new float[]{ 0.855f, -2.0725f }, p.toFloatArray(), 1e-6f);
            assertArrayEquals(new float[]{ 0.95f, 0.475f }, sgd.state().get("p.momentum").toFloatArray(), 1e-7f);
            assertArrayEquals(new float[]{ 0.5f, 0.25f }, g.toFloatArray(), "the gradient is left as it was");
        }
    }

    @Test
    void anOptimizerReadsReboundGradientsAndKeepsItsState()
    {
        try (Tensor p = Tensors.fromArray(allocator, new float[]{ 1.0f, -2.0f }).name("p");
             Tensor g = Tensors.fromArray(allocator, new float[]{ 0.5f, 0.25f });
             Tensor moved = Tensors.fromArray(allocator, new float[]{ 1.0f, -1.0f });
             Tensor wrong = Tensors.fromArray(allocator, new float[]{ 1.0f, 2.0f, 3.0f });
             SgdMomentum sgd = new SgdMomentum(allocator, List.of(p), List.of(g), 0.1f, 0.9f))
        {
            sgd.step();   // v = (0.5, 0.25), p = (0.95, -2.025)
            sgd.gradients(List.of(moved));
            sgd.step();   // v = 0.9 v + moved = (1.45, -0.775); p -= 0.1 v
            assertArrayEquals(new float[]{ 1.45f, -0.775f }, sgd.state().get("p.momentum").toFloatArray(), 1e-6f);
            assertArrayEquals(new float[]{ 0.805f, -1.9475f }, p.toFloatArray(), 1e-6f);
            final TensorShapeException shape = assertThrows(TensorShapeException.class,
                () -> sgd.gradients(List.of(wrong)));
            assertTrue(shape.getMessage().contains("parameter 0"), shape.getMessage());
            assertThrows(IllegalArgumentException.class, () -> sgd.gradients(List.of(moved, moved)));
            sgd.step();   // still reads `moved`: the rejected calls changed nothing
            assertArrayEquals(new float[]{ 2.305f, -1.6975f }, sgd.state().get("p.momentum").toFloatArray(), 1e-6f);
        }
    }

    @Test
    void adamStepsAsComputedByHand()
    {
        try (Tensor p = Tensors.fromArray(allocator, new float[]{ 1.0f, 3.0f }).name("p");
             Tensor g = Tensors.fromArray(allocator, new float[]{ 0.5f, -4.0f });
             Adam adam = new Adam(allocator, List.of(p), List.of(g), 0.1f))
        {
            // with a constant gradient the bias-corrected moments are g and g^2: each step moves lr * sign(g)
            adam.step();
            assertArrayEquals(new float[]{ 0.9f, 3.1f }, p.toFloatArray(), 1e-6f);
            adam.step();
            assertArrayEquals(new float[]{ 0.8f, 3.2f }, p.toFloatArray(), 1e-6f);
            // m = 0.9 * 0.05 + 0.1 * 0.5 = 0.095; v = 0.999 * 0.00025 + 0.001 * 0.25 = 0.00049975
            assertEquals(0.095f, adam.state().get("p.adam_m").getFloat(0), 1e-7f);
            assertEquals(0.00049975f, adam.state().get("p.adam_v").getFloat(0), 1e-8f);
            assertEquals(2L, adam.state().get("adam.step").getLong(0));
            assertEquals(2L, adam.steps());
            // a gradient of zero now: m = 0.0855, v = 0.00049925025; mhat = 0.0855 / 0.271, vhat = v / 0.002997001
            g.fill(0.0);
            adam.step();
            final double mHat = 0.0855 / (1 - 0.729);
            final double vHat = 0.00049925025 / (1 - 0.997002999);
            assertEquals(0.8 - 0.1 * mHat / (Math.sqrt(vHat) + 1e-8), p.getFloat(0), 2e-6);
        }
    }

    @Test
    void aTrainingStepAllocatesNothingOnceWarm()
    {
        try (Batch b = batch(3, 8, 1);
             Adam adam = new Adam(allocator, b.model().parameters(), b.model().gradients(), 1e-3f))
        {
            final int[] calls = new int[1];
            b.model().gradientListener((index, gradient) -> calls[0]++);
            AllocationFree.assertEventually("a training step", () ->
            {
                b.backward(false);
                adam.step();
                Accuracy.correct(b.acts().output(), b.y(), b.rows());
            });
            assertTrue(calls[0] > 0);
        }
    }

    @Test
    void badInputIsNamed()
    {
        try (Sequential model = SMALL.build(allocator, 3);
             Sequential other = SMALL.build(allocator, 3);
             Activations acts = model.newActivations(allocator, 4);
             Tensor wide = randomInput(4, 1);
             Tensor narrow = Tensors.zeros(allocator, DType.F32, 4, IN - 1).name("narrow");
             Tensor grad = Tensors.zeros(allocator, DType.F32, 4, CLASSES))
        {
            final TensorShapeException shape = assertThrows(TensorShapeException.class,
                () -> model.forward(acts, narrow, 4));
            assertTrue(shape.getMessage().contains("layer0 input") && shape.getMessage().contains("narrow"),
                shape.getMessage());
            final IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> model.forward(acts, wide, 5));
            assertTrue(tooMany.getMessage().contains("1..4"), tooMany.getMessage());
            assertThrows(IllegalArgumentException.class, () -> other.forward(acts, wide, 4));
            final IllegalStateException noForward = assertThrows(IllegalStateException.class,
                () -> model.backward(acts, grad, 4, false));
            assertTrue(noForward.getMessage().contains("without a forward"), noForward.getMessage());
            model.forward(acts, wide, 4);
            assertThrows(IllegalStateException.class, () -> model.backward(acts, grad, 3, false),
                "backward of other rows than the forward's");
            assertThrows(IllegalArgumentException.class, () -> SMALL.build(allocator, 1, 2, 2));
            assertThrows(IllegalArgumentException.class,
                () -> new Sequential(List.of(new Relu(3), new Relu(4))));
            assertThrows(IllegalArgumentException.class,
                () -> new SgdMomentum(allocator, model.parameters(), model.gradients().subList(0, 2), 0.1f, 0.9f));
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private float[][] trainAFewSteps(final long seed, final boolean adam)
    {
        try (Batch b = batch(seed, 8, seed);
             Optimizer optimizer = adam ?
                 new Adam(allocator, b.model().parameters(), b.model().gradients(), 1e-2f) :
                 new SgdMomentum(allocator, b.model().parameters(), b.model().gradients(), 0.1f, 0.9f))
        {
            for (int step = 0; step < 5; step++)
            {
                b.backward(false);
                optimizer.step();
            }
            return snapshot(b.model().parameters()).toArray(new float[0][]);
        }
    }

    /**
     * SMALL (weights from {@code modelSeed}) with its activations and loss for {@code rows} rows, and a batch of that
     * many random inputs ({@code inputSeed}) and labels ({@code inputSeed + 1}): what a training step needs.
     */
    private Batch batch(final long modelSeed, final int rows, final long inputSeed)
    {
        final Sequential model = SMALL.build(allocator, modelSeed);
        return new Batch(rows, model, model.newActivations(allocator, rows), new SoftmaxCrossEntropy(allocator,
            CLASSES, rows), randomInput(rows, inputSeed), labels(rows, inputSeed + 1));
    }

    private record Batch(int rows, Sequential model, Activations acts, SoftmaxCrossEntropy loss, Tensor x, Tensor y)
        implements AutoCloseable
    {
        /** Zeroes the gradients, then forward and backward over the batch; returns the input's gradient if asked. */
        Tensor backward(final boolean inputGradient)
        {
            model.zeroGradients();
            loss.forward(model.forward(acts, x, rows), y, rows);
            return model.backward(acts, loss.backward(), rows, inputGradient);
        }

        /** The loss's derivative by {@code nudged}'s element, by central differences of step {@code h}. */
        double centralDifference(final Tensor nudged, final int element, final float h)
        {
            final long[] index = nudged.rank() == 1 ? new long[]{ element } :
                new long[]{ element / nudged.shape(1), element % nudged.shape(1) };
            final float original = nudged.getFloat(index);
            nudged.setDouble(original + h, index);
            final double up = loss.forward(model.forward(acts, x, rows), y, rows);
            nudged.setDouble(original - h, index);
            final double down = loss.forward(model.forward(acts, x, rows), y, rows);
            nudged.setDouble(original, index);
            return (up - down) / (2.0 * h);
        }

        @Override
        public void close()
        {
            y.close();
            x.close();
            loss.close();
            acts.close();
            model.close();
        }
    }

    private static void assertClose(final double numeric, final float analytic, final String what)
    {
        assertEquals(numeric, analytic, 2e-3 + 2e-2 * Math.abs(numeric), what + ": finite difference vs backward");
    }

    private Tensor randomInput(final int rows, final long seed)
    {
        final Tensor x = Tensors.allocate(allocator, DType.F32, rows, IN).name("x");
        Init.normal(seed, 0, x.address(), (long)rows * IN, 0.0f, 1.0f);
        return x;
    }

    private Tensor labels(final int rows, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final int[] labels = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            labels[i] = random.nextInt(CLASSES);
        }
        return Tensors.fromArray(allocator, labels).name("y");
    }

    private static List<float[]> snapshot(final List<Tensor> tensors)
    {
        final List<float[]> out = new ArrayList<>();
        for (final Tensor t : tensors)
        {
            out.add(t.toFloatArray());
        }
        return out;
    }

    private static boolean allZero(final Tensor t)
    {
        for (final float v : t.toFloatArray())
        {
            if (v != 0.0f)
            {
                return false;
            }
        }
        return true;
    }
}
