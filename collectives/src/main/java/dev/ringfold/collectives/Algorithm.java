package dev.ringfold.collectives;

/**
 * Every collective algorithm, with how to make its state machine for a communicator ({@link CommunicatorState} gives
 * the communicator, its node region, its hierarchy and its MPI communicator). {@link SelectionTable} picks among
 * them; {@link CommunicatorState#operation} keeps one idle instance of each for blocking calls. A new algorithm is
 * one constant here and one row in the table.
 */
enum Algorithm
{
    RECURSIVE_DOUBLING
    {
        Operation create(final CommunicatorState s)
        {
            return new RecursiveDoublingAllReduce(s.comm);
        }
    },
    RING
    {
        Operation create(final CommunicatorState s)
        {
            return new RingAllReduce(s.comm);
        }
    },
    SHARED_MEMORY_ALL_REDUCE
    {
        Operation create(final CommunicatorState s)
        {
            return new SharedMemoryAllReduce(s.comm, s.nodeScratch("allReduce"));
        }
    },
    HIERARCHICAL_ALL_REDUCE
    {
        Operation create(final CommunicatorState s)
        {
            return new HierarchicalAllReduce(s.comm, s.hierarchy());
        }
    },
    MPI_ALL_REDUCE
    {
        Operation create(final CommunicatorState s)
        {
            return new MpiCollective(s.comm, s.mpi());
        }
    },
    BINOMIAL_BROADCAST
    {
        Operation create(final CommunicatorState s)
        {
            return new BinomialBroadcast(s.comm);
        }
    },
    CHAIN_BROADCAST
    {
        Operation create(final CommunicatorState s)
        {
            return new ChainBroadcast(s.comm);
        }
    },
    SHARED_MEMORY_BROADCAST
    {
        Operation create(final CommunicatorState s)
        {
            return new SharedMemoryBroadcast(s.comm, s.nodeScratch("broadcast"));
        }
    },
    HIERARCHICAL_BROADCAST
    {
        Operation create(final CommunicatorState s)
        {
            return new HierarchicalBroadcast(s.comm, s.hierarchy());
        }
    },
    MPI_BROADCAST
    {
        Operation create(final CommunicatorState s)
        {
            return new MpiCollective(s.comm, s.mpi());
        }
    },
    BINOMIAL_REDUCE
    {
        Operation create(final CommunicatorState s)
        {
            return new BinomialReduce(s.comm);
        }
    },
    RING_ALL_GATHER
    {
        Operation create(final CommunicatorState s)
        {
            return new RingAllGather(s.comm);
        }
    },
    LINEAR_GATHER
    {
        Operation create(final CommunicatorState s)
        {
            return new LinearGather(s.comm);
        }
    },
    PAIRWISE_ALL_TO_ALL
    {
        Operation create(final CommunicatorState s)
        {
            return new PairwiseAllToAll(s.comm);
        }
    },
    DISSEMINATION_BARRIER
    {
        Operation create(final CommunicatorState s)
        {
            return new DisseminationBarrier(s.comm);
        }
    },
    LINEAR_SCAN
    {
        Operation create(final CommunicatorState s)
        {
            return new LinearScan(s.comm);
        }
    };

    /** A new state machine of this algorithm on the state's communicator (collective where it maps a region). */
    abstract Operation create(CommunicatorState state);
}
