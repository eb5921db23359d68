package dev.ringfold.tensors.nn;

import dev.ringfold.tensors.Tensor;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

/** How many predictions are right: the class of the largest score (the first, on ties) against the label. */
public final class Accuracy
{
    private Accuracy()
    {
    }

    /** Rows among the first {@code rows} of {@code scores} (logits or probabilities) whose top class is the label. */
    public static int correct(final Tensor scores, final Tensor labels, final int rows)
    {
        final int classes = scores.rank() == 2 ? (int)scores.shape(1) : -1;
        Matrices.check("scores", scores, Math.max(classes, 1), rows);
        Matrices.checkLabels(labels, rows);
        final MemorySegment s = scores.segment();
        final MemorySegment y = labels.segment();
        int correct = 0;
        for (int i = 0; i < rows; i++)
        {
            final long row = 4L * i * classes;
            int best = 0;
            float bestScore = s.get(JAVA_FLOAT_UNALIGNED, row);
            for (int j = 1; j < classes; j++)
            {
                final float score = s.get(JAVA_FLOAT_UNALIGNED, row + 4L * j);
                if (score > bestScore)
                {
                    best = j;
                    bestScore = score;
                }
            }
            if (best == y.get(JAVA_INT_UNALIGNED, 4L * i))
            {
                correct++;
            }
        }
        return correct;
    }
}
