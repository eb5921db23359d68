package mpi;

import dev.ringfold.mpi.Communicator;

import java.util.Arrays;

/** A communicator with a graph topology, or a distributed graph's (then only its own neighbours are known). */
public final class GraphComm extends Intracomm
{
    private final int[] index;
    private final int[] edges;
    private final DistGraphNeighbors dist;

    GraphComm(final Communicator p2p, final int[] index, final int[] edges)
    {
        super(p2p, "");
        this.index = index;
        this.edges = edges;
        this.dist = null;
    }

    GraphComm(final Communicator p2p, final DistGraphNeighbors dist)
    {
        super(p2p, "");
        this.index = null;
        this.edges = null;
        this.dist = dist;
    }

    @Override
    GraphComm make(final Communicator communicator)
    {
        return dist == null ? new GraphComm(communicator, index, edges) : new GraphComm(communicator, dist);
    }

    @Override
    public GraphComm clone()
    {
        return (GraphComm)super.clone();
    }

    @Override
    public GraphComm dup() throws MPIException
    {
        return (GraphComm)super.dup();
    }

    @Override
    public GraphComm iDup() throws MPIException
    {
        return (GraphComm)super.iDup();
    }

    @Override
    public GraphComm dupWithInfo(final Info info) throws MPIException
    {
        return (GraphComm)super.dupWithInfo(info);
    }

    public GraphParms getDims() throws MPIException
    {
        open("MPI_Graph_get");
        notDistributed("MPI_Graph_get");
        return new GraphParms(index.clone(), edges.clone());
    }

    public int[] getNeighbors(final int rank) throws MPIException
    {
        open("MPI_Graph_neighbors");
        notDistributed("MPI_Graph_neighbors");
        rank("MPI_Graph_neighbors", rank, "rank", false);
        return Arrays.copyOfRange(edges, rank == 0 ? 0 : index[rank - 1], index[rank]);
    }

    public DistGraphNeighbors getDistGraphNeighbors() throws MPIException
    {
        open("MPI_Dist_graph_neighbors");
        if (dist == null)
        {
            final int[] nb = getNeighbors(p2p.rank());
            final int[] ones = new int[nb.length];
            Arrays.fill(ones, 1);
            return new DistGraphNeighbors(nb, ones, nb, ones, false);
        }
        return dist;
    }

    public int map(final int[] index, final int[] edges) throws MPIException
    {
        open("MPI_Graph_map");
        return p2p.rank() < index.length ? p2p.rank() : MPI.UNDEFINED;
    }

    private void notDistributed(final String call) throws MPIException
    {
        if (dist != null)
        {
            throw Errors.raise(this, MPI.ERR_TOPOLOGY, call, "a distributed graph knows only this rank's " +
                "neighbours (getDistGraphNeighbors)");
        }
    }

    boolean isDistributed()
    {
        return dist != null;
    }

    /** Sources and destinations for the neighbourhood collectives. */
    int[][] neighbours()
    {
        if (dist != null)
        {
            return new int[][]{dist.sources(), dist.destinations()};
        }
        final int rank = p2p.rank();
        final int[] nb = Arrays.copyOfRange(edges, rank == 0 ? 0 : index[rank - 1], index[rank]);
        return new int[][]{nb, nb};
    }
}
