package mpi;

/** The in- and out-neighbours of a rank in a distributed graph topology, with their weights. */
public final class DistGraphNeighbors
{
    private final int[] sources;
    private final int[] sourceWeights;
    private final int[] destinations;
    private final int[] destWeights;
    private final boolean weighted;

    DistGraphNeighbors(final int[] sources, final int[] sourceWeights, final int[] destinations,
        final int[] destWeights, final boolean weighted)
    {
        this.sources = sources;
        this.sourceWeights = sourceWeights;
        this.destinations = destinations;
        this.destWeights = destWeights;
        this.weighted = weighted;
    }

    int[] sources()
    {
        return sources;
    }

    int[] destinations()
    {
        return destinations;
    }

    public int getInDegree()
    {
        return sources.length;
    }

    public int getOutDegree()
    {
        return destinations.length;
    }

    public boolean isWeighted()
    {
        return weighted;
    }

    public int getSource(final int i)
    {
        return sources[i];
    }

    public int getSourceWeight(final int i)
    {
        return sourceWeights[i];
    }

    public int getDestination(final int i)
    {
        return destinations[i];
    }

    public int getDestinationWeight(final int i)
    {
        return destWeights[i];
    }
}
