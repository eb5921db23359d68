package mpi;

import dev.ringfold.mpi.Communicator;

/** A communicator with a graph topology: node i's neighbours are edges[index[i-1] .. index[i]). */
public class Graphcomm extends Intracomm
{
    private final int[] index;
    private final int[] edges;

    Graphcomm(final Communicator communicator, final int[] index, final int[] edges)
    {
        super(communicator);
        this.index = index;
        this.edges = edges;
    }

    @Override
    public Object clone() throws MPIException
    {
        checkOpen("clone");
        return new Graphcomm(p2p().dup(), index.clone(), edges.clone());
    }

    public GraphParms Get() throws MPIException
    {
        final GraphParms p = new GraphParms();
        p.index = index.clone();
        p.edges = edges.clone();
        return p;
    }

    public int[] Neighbours(final int rank) throws MPIException
    {
        if (rank < 0 || rank >= index.length)
        {
            throw new MPIException("Graphcomm.Neighbours: rank " + rank + " is outside [0, " + index.length + ")");
        }
        final int from = rank == 0 ? 0 : index[rank - 1];
        return java.util.Arrays.copyOfRange(edges, from, index[rank]);
    }

    public int Map(final int[] index, final int[] edges) throws MPIException
    {
        return Rank() < index.length ? Rank() : MPI.UNDEFINED;
    }

    @Override
    public int Topo_test() throws MPIException
    {
        return MPI.GRAPH;
    }
}
