package dev.ringfold.training.data;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.tensors.Checkpoint;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A training run's state in one Arrow IPC file ({@link Checkpoint}'s format, written atomically: temporary file,
 * fsync, rename): the parameters as {@code parameter.<i>}, the optimizer's state tensors as
 * {@code optimizer.<name>}, and {@link TrainingProgress} as the I64 tensor {@code training.progress}. In data
 * parallelism every worker holds the same parameters and optimizer state, so rank 0 writes; loading is collective:
 * rank 0 reads and broadcasts, and a run resumed from it continues as if never stopped (given the same data order,
 * which {@link DistributedSampler} derives from the seed and epoch).
 */
public final class TrainingCheckpoint
{
    public static final String PROGRESS = "training.progress";
    public static final String PARAMETER = "parameter.";
    public static final String OPTIMIZER = "optimizer.";

    private TrainingCheckpoint()
    {
    }

    /** Rank 0 writes the file (replacing it atomically); the other ranks return at once. */
    public static void save(final Path file, final Communicator comm, final List<Tensor> parameters,
        final Map<String, Tensor> optimizerState, final TrainingProgress progress)
    {
        check(file, comm, parameters, optimizerState);
        if (progress == null)
        {
            throw new NullPointerException(where(comm, file) + ": progress is null");
        }
        if (comm.rank() != 0)
        {
            return;
        }
        final Map<String, Tensor> all = new LinkedHashMap<>();
        for (int i = 0; i < parameters.size(); i++)
        {
            all.put(PARAMETER + i, parameters.get(i));
        }
        for (final String name : new TreeSet<>(optimizerState.keySet()))
        {
            all.put(OPTIMIZER + name, optimizerState.get(name));
        }
        try (Tensor p = Tensors.fromArray(parameters.get(0).allocator(),
            new long[] {progress.step(), progress.epoch(), progress.seed(), progress.rngState()}, 4))
        {
            all.put(PROGRESS, p);
            Checkpoint.write(file, all);
        }
    }

    /**
     * Collective: rank 0 reads the file into {@code parameters} and {@code optimizerState} (which must have the
     * file's names, shapes and dtypes) and broadcasts them and the progress; every rank returns the progress. If
     * rank 0 cannot, every rank throws.
     */
    public static TrainingProgress load(final Path file, final Communicator comm, final List<Tensor> parameters,
        final Map<String, Tensor> optimizerState)
    {
        check(file, comm, parameters, optimizerState);
        final long[] header = new long[5];
        RuntimeException failure = null;
        if (comm.rank() == 0)
        {
            try (Checkpoint checkpoint = Checkpoint.read(file, parameters.get(0).allocator(), Checkpoint.Mode.COPIED))
            {
                final List<String> expected = new ArrayList<>();
                for (int i = 0; i < parameters.size(); i++)
                {
                    expected.add(PARAMETER + i);
                }
                for (final String name : new TreeSet<>(optimizerState.keySet()))
                {
                    expected.add(OPTIMIZER + name);
                }
                expected.add(PROGRESS);
                final List<String> found = new ArrayList<>(checkpoint.names());
                if (!new TreeSet<>(found).equals(new TreeSet<>(expected)))
                {
                    throw new IllegalArgumentException(where(comm, file) + ": the file holds " + found +
                        ", the model and optimizer expect " + expected);
                }
                final Tensor progress = checkpoint.get(PROGRESS);
                if (progress.dtype() != DType.I64 || progress.elementCount() != 4)
                {
                    throw new IllegalArgumentException(where(comm, file) + ": " + PROGRESS + " is " +
                        progress.describe() + ", expected I64[4]");
                }
                for (int i = 0; i < parameters.size(); i++)
                {
                    parameters.get(i).copyFrom(checkpoint.get(PARAMETER + i));
                }
                for (final Map.Entry<String, Tensor> e : optimizerState.entrySet())
                {
                    e.getValue().copyFrom(checkpoint.get(OPTIMIZER + e.getKey()));
                }
                header[0] = 1;
                for (int k = 0; k < 4; k++)
                {
                    header[k + 1] = progress.getLong(k);
                }
            }
            catch (final RuntimeException ex)
            {
                failure = ex;
            }
        }
        final Collectives collectives = Collectives.of(comm);
        collectives.broadcast(header, 0, header.length, 0);
        if (header[0] != 1)
        {
            if (failure != null)
            {
                throw failure;
            }
            throw new IllegalStateException(where(comm, file) + ": rank 0 could not load the checkpoint (its error " +
                "says why)");
        }
        for (final Tensor t : parameters)
        {
            collectives.broadcast(t, 0);
        }
        for (final String name : new TreeSet<>(optimizerState.keySet()))
        {
            collectives.broadcast(optimizerState.get(name), 0);
        }
        return new TrainingProgress(header[1], header[2], header[3], header[4]);
    }

    private static void check(final Path file, final Communicator comm, final List<Tensor> parameters,
        final Map<String, Tensor> optimizerState)
    {
        if (file == null || comm == null || parameters == null || optimizerState == null)
        {
            throw new NullPointerException("training checkpoint: " + (file == null ? "file" : comm == null ?
                "communicator" : parameters == null ? "parameter list" : "optimizer state map") + " is null");
        }
        if (parameters.isEmpty())
        {
            throw new IllegalArgumentException(where(comm, file) + ": no parameters");
        }
    }

    private static String where(final Communicator comm, final Path file)
    {
        return "rank " + comm.rank() + " of " + comm.name() + ": training checkpoint " + file;
    }

    /** For callers that keep no optimizer state (plain SGD). */
    public static Map<String, Tensor> noState()
    {
        return Collections.emptyMap();
    }
}
