package dev.ringfold.training.pipeline;

import dev.ringfold.mpi.Communicator;

/**
 * 2-D parallelism: a world of p × d ranks as d pipeline replicas of p stages. World rank r is stage r mod p of
 * replica r / p (a replica's stages are neighbouring ranks, so on one node they share memory). {@link #pipeline()}
 * holds the p stages of this rank's replica (rank = stage), {@link #data()} the d ranks running the same stage in
 * every replica (rank = replica): a stage's gradients are all-reduced there, with
 * {@link dev.ringfold.training.data.DataParallel} over the stage's parameters and gradients. With d = 1 it is a
 * plain pipeline; with p = 1 plain data parallelism. Creating one is collective over the world (two splits).
 */
public final class PipelineGrid implements AutoCloseable
{
    private final int stages;
    private final int replicas;
    private final int stage;
    private final int replica;
    private final Communicator pipeline;
    private final Communicator data;

    public PipelineGrid(final Communicator world, final int stages)
    {
        final int size = world.size();
        if (stages < 1 || size % stages != 0)
        {
            throw new IllegalArgumentException("rank " + world.rank() + " of " + world.name() + ": " + size +
                " ranks cannot be divided into pipelines of p=" + stages + " stages: the world must be p × d ranks " +
                "(d replicas), so p must be >= 1 and divide " + size);
        }
        this.stages = stages;
        this.replicas = size / stages;
        this.stage = world.rank() % stages;
        this.replica = world.rank() / stages;
        this.pipeline = world.split(replica, stage);
        try
        {
            this.data = world.split(stage, replica);
        }
        catch (final RuntimeException ex)
        {
            pipeline.close();
            throw ex;
        }
    }

    /** p. */
    public int stages()
    {
        return stages;
    }

    /** d. */
    public int replicas()
    {
        return replicas;
    }

    /** This rank's stage (its rank in {@link #pipeline()}). */
    public int stage()
    {
        return stage;
    }

    /** This rank's replica (its rank in {@link #data()}). */
    public int replica()
    {
        return replica;
    }

    /** The p stages of this rank's replica. */
    public Communicator pipeline()
    {
        return pipeline;
    }

    /** The d ranks holding this rank's stage, one per replica. */
    public Communicator data()
    {
        return data;
    }

    @Override
    public void close()
    {
        data.close();
        pipeline.close();
    }

    @Override
    public String toString()
    {
        return "pipeline grid " + stages + " stages × " + replicas + " replicas: stage " + stage + " of replica " +
            replica;
    }
}
