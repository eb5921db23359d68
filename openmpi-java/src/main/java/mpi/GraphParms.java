package mpi;

/** A graph topology as MPI_Graph_get gives it: the cumulative degrees and the edges. */
public final class GraphParms
{
    private final int[] index;
    private final int[] edges;

    GraphParms(final int[] index, final int[] edges)
    {
        this.index = index;
        this.edges = edges;
    }

    public int getIndexCount()
    {
        return index.length;
    }

    public int getIndex(final int i)
    {
        return index[i];
    }

    public int getEdgeCount()
    {
        return edges.length;
    }

    public int getEdge(final int i)
    {
        return edges[i];
    }
}
