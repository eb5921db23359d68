package dev.ringfold.collectives;

import dev.ringfold.collectives.Collectives.AllReduceAlgorithm;
import dev.ringfold.collectives.Collectives.BroadcastAlgorithm;

/**
 * Every collective algorithm: the name a user forces it by (if any) and how to make its state machine for a
 * communicator ({@link CommunicatorState} gives the communicator, its node region, its hierarchy and its MPI
 * communicator). {@link SelectionTable} picks among them; {@link CommunicatorState#operation} keeps one idle
 * instance of each for blocking calls. A new algorithm is one constant here and one row in the table.
 */
enum Algorithm
{
    RECURSIVE_DOUBLING(AllReduceAlgorithm.RECURSIVE_DOUBLING, s -> new RecursiveDoublingAllReduce(s.comm)),
    RING(AllReduceAlgorithm.RING, s -> new RingAllReduce(s.comm)),
    SHARED_MEMORY_ALL_REDUCE(AllReduceAlgorithm.SHARED_MEMORY,
        s -> new SharedMemoryAllReduce(s.comm, s.nodeScratch("allReduce"))),
    HIERARCHICAL_ALL_REDUCE(AllReduceAlgorithm.HIERARCHICAL, s -> new HierarchicalAllReduce(s.comm, s.hierarchy())),
    MPI_ALL_REDUCE(AllReduceAlgorithm.MPI, s -> new MpiCollective(s.comm, s.mpi())),
    BINOMIAL_BROADCAST(BroadcastAlgorithm.BINOMIAL, s -> new BinomialBroadcast(s.comm)),
    CHAIN_BROADCAST(BroadcastAlgorithm.CHAIN, s -> new ChainBroadcast(s.comm)),
    SHARED_MEMORY_BROADCAST(BroadcastAlgorithm.SHARED_MEMORY,
        s -> new SharedMemoryBroadcast(s.comm, s.nodeScratch("broadcast"))),
    HIERARCHICAL_BROADCAST(BroadcastAlgorithm.HIERARCHICAL, s -> new HierarchicalBroadcast(s.comm, s.hierarchy())),
    MPI_BROADCAST(BroadcastAlgorithm.MPI, s -> new MpiCollective(s.comm, s.mpi())),
    BINOMIAL_REDUCE(null, s -> new BinomialReduce(s.comm)),
    RING_ALL_GATHER(null, s -> new RingAllGather(s.comm)),
    IN_PLACE_ALL_GATHER(null, s -> new InPlaceAllGather(s.comm, s.nodeScratch("allGather"))),
    IN_PLACE_REDUCE_SCATTER(null, s -> new InPlaceReduceScatter(s.comm, s.nodeScratch("reduceScatter"))),
    LINEAR_GATHER(null, s -> new LinearGather(s.comm)),
    PAIRWISE_ALL_TO_ALL(null, s -> new PairwiseAllToAll(s.comm)),
    DISSEMINATION_BARRIER(null, s -> new DisseminationBarrier(s.comm)),
    LINEAR_SCAN(null, s -> new LinearScan(s.comm));

    /** Makes an algorithm's state machine on a communicator (collective where it maps a region). */
    @FunctionalInterface
    interface Factory
    {
        Operation create(CommunicatorState state);
    }

    /** The {@link AllReduceAlgorithm} or {@link BroadcastAlgorithm} that forces it; null where none does. */
    final Enum<?> name;
    private final Factory factory;

    Algorithm(final Enum<?> name, final Factory factory)
    {
        this.name = name;
        this.factory = factory;
    }

    Operation create(final CommunicatorState state)
    {
        return factory.create(state);
    }

    /** The algorithm a user's name forces; null for AUTO. */
    static Algorithm named(final Enum<?> name)
    {
        for (final Algorithm a : values())
        {
            if (a.name == name)
            {
                return a;
            }
        }
        return null;
    }
}
