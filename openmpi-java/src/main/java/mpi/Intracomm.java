package mpi;

import dev.ringfold.mpi.Communicator;

import java.nio.Buffer;

/** An intra-communicator: making communicators and topologies, and the prefix reductions. */
public class Intracomm extends Comm
{
    Intracomm(final Communicator p2p, final String name)
    {
        super(p2p, name);
    }

    @Override
    Intracomm make(final Communicator communicator)
    {
        return new Intracomm(communicator, "");
    }

    @Override
    public Intracomm clone()
    {
        return (Intracomm)super.clone();
    }

    @Override
    public Intracomm dup() throws MPIException
    {
        return (Intracomm)super.dup();
    }

    @Override
    public Intracomm iDup() throws MPIException
    {
        return (Intracomm)super.iDup();
    }

    @Override
    public Intracomm dupWithInfo(final Info info) throws MPIException
    {
        return (Intracomm)super.dupWithInfo(info);
    }

    /** Ranks of one color form a communicator, ordered by key (then by rank); MPI.UNDEFINED gets MPI_COMM_NULL
     * (a communicator whose isNull() is true, as Open MPI returns it). */
    public final Intracomm split(final int colour, final int key) throws MPIException
    {
        open("MPI_Comm_split");
        if (colour < 0 && colour != MPI.UNDEFINED)
        {
            throw Errors.raise(this, MPI.ERR_ARG, "MPI_Comm_split", "rank " + p2p.rank() + ": color=" + colour +
                " must be >= 0 or MPI.UNDEFINED");
        }
        final Communicator c = splitOrRaise("MPI_Comm_split", colour == MPI.UNDEFINED ? Communicator.UNDEFINED :
            colour, key);
        return derived(new Intracomm(c, ""));
    }

    /** By node: the ranks that share this one's host (MPI_COMM_TYPE_SHARED); MPI.UNDEFINED gets MPI_COMM_NULL. */
    public final Intracomm splitType(final int splitType, final int key, final Info info) throws MPIException
    {
        open("MPI_Comm_split_type");
        final int colour = splitType == MPI.UNDEFINED ? Communicator.UNDEFINED :
            MPI.hostIndex(p2p.worldRank(p2p.rank()));
        final Communicator c = splitOrRaise("MPI_Comm_split_type", colour, key);
        return derived(new Intracomm(c, ""));
    }

    /** The communicator of the group's members (MPI_COMM_NULL elsewhere); every rank of this one calls it. */
    public final Intracomm create(final Group group) throws MPIException
    {
        open("MPI_Comm_create");
        final Communicator c = forGroup("MPI_Comm_create", group);
        return derived(new Intracomm(c, ""));
    }

    /** As create, called by the group's members only: Ringfold splits this communicator, so all must call it. */
    public final Intracomm createGroup(final Group group, final int tag) throws MPIException
    {
        open("MPI_Comm_create_group");
        final Communicator c = forGroup("MPI_Comm_create_group", group);
        return derived(new Intracomm(c, ""));
    }

    private Communicator forGroup(final String call, final Group group) throws MPIException
    {
        for (final int w : group.world)
        {
            boolean member = false;
            for (int r = 0; r < p2p.size() && !member; r++)
            {
                member = p2p.worldRank(r) == w;
            }
            if (!member)
            {
                throw Errors.raise(this, MPI.ERR_GROUP, call, "world rank " + w + " of the group is not in " +
                    "this communicator");
            }
        }
        final int mine = group.rankOfWorld(p2p.worldRank(p2p.rank()));
        return splitOrRaise(call, mine == MPI.UNDEFINED ? Communicator.UNDEFINED : 0, mine);
    }

    private Communicator splitOrRaise(final String call, final int colour, final int key) throws MPIException
    {
        try
        {
            return p2p.split(colour, key);
        }
        catch (final RuntimeException ex)
        {
            throw Errors.raise(this, call, ex);
        }
    }

    /** A grid of processes; reorder is ignored (ranks keep their order, which MPI allows). */
    public final CartComm createCart(final int[] dims, final boolean[] periods, final boolean reorder)
        throws MPIException
    {
        open("MPI_Cart_create");
        if (dims.length != periods.length)
        {
            throw Errors.raise(this, MPI.ERR_ARG, "MPI_Cart_create", dims.length + " dims but " + periods.length +
                " periods");
        }
        long n = 1;
        for (final int d : dims)
        {
            if (d <= 0)
            {
                throw Errors.raise(this, MPI.ERR_DIMS, "MPI_Cart_create", "every dimension must be > 0, got " +
                    java.util.Arrays.toString(dims));
            }
            n *= d;
        }
        if (n > p2p.size())
        {
            throw Errors.raise(this, MPI.ERR_DIMS, "MPI_Cart_create", "the grid " + java.util.Arrays.toString(dims) +
                " needs " + n + " processes, the communicator has " + p2p.size());
        }
        final Communicator c = splitOrRaise("MPI_Cart_create", p2p.rank() < n ? 0 : Communicator.UNDEFINED,
            p2p.rank());
        return derived(new CartComm(c, dims.clone(), periods.clone()));
    }

    /** A graph of processes (index: cumulative degrees, edges: neighbours); reorder is ignored. */
    public final GraphComm createGraph(final int[] index, final int[] edges, final boolean reorder)
        throws MPIException
    {
        open("MPI_Graph_create");
        final int n = index.length;
        if (n > p2p.size())
        {
            throw Errors.raise(this, MPI.ERR_ARG, "MPI_Graph_create", n + " nodes, the communicator has " +
                p2p.size() + " processes");
        }
        for (final int e : edges)
        {
            if (e < 0 || e >= n)
            {
                throw Errors.raise(this, MPI.ERR_ARG, "MPI_Graph_create", "edge to " + e + " is not a node in [0, " +
                    n + ")");
            }
        }
        final Communicator c = splitOrRaise("MPI_Graph_create", p2p.rank() < n ? 0 : Communicator.UNDEFINED,
            p2p.rank());
        return derived(new GraphComm(c, index.clone(), edges.clone()));
    }

    /** Each rank names edges from its sources; every rank learns its own in- and out-neighbours by an all-gather. */
    public final GraphComm createDistGraph(final int[] sources, final int[] degrees, final int[] destinations,
        final int[] weights, final Info info, final boolean reorder) throws MPIException
    {
        open("MPI_Dist_graph_create");
        final int n = p2p.size();
        int edges = 0;
        for (int i = 0; i < sources.length; i++)
        {
            edges += degrees[i];
        }
        // every edge as (source, destination, weight)
        final int[] mine = new int[3 * edges];
        int k = 0;
        int e = 0;
        for (int i = 0; i < sources.length; i++)
        {
            for (int d = 0; d < degrees[i]; d++, e++)
            {
                mine[k++] = sources[i];
                mine[k++] = destinations[e];
                mine[k++] = weights == null ? 1 : weights[e];
            }
        }
        final int[] counts = new int[n];
        allGather(new int[]{mine.length}, 1, MPI.INT, counts, 1, MPI.INT);
        final int[] displs = new int[n];
        for (int r = 1; r < n; r++)
        {
            displs[r] = displs[r - 1] + counts[r - 1];
        }
        final int[] all = new int[displs[n - 1] + counts[n - 1]];
        allGatherv(mine, mine.length, MPI.INT, all, counts, displs, MPI.INT);
        final int me = p2p.rank();
        final java.util.List<int[]> in = new java.util.ArrayList<>();
        final java.util.List<int[]> out = new java.util.ArrayList<>();
        for (int i = 0; i < all.length; i += 3)
        {
            if (all[i + 1] == me)
            {
                in.add(new int[]{all[i], all[i + 2]});
            }
            if (all[i] == me)
            {
                out.add(new int[]{all[i + 1], all[i + 2]});
            }
        }
        return distGraph(in, out, weights != null);
    }

    public final GraphComm createDistGraph(final int[] sources, final int[] degrees, final int[] destinations,
        final Info info, final boolean reorder) throws MPIException
    {
        return createDistGraph(sources, degrees, destinations, null, info, reorder);
    }

    public final GraphComm createDistGraphAdjacent(final int[] sources, final int[] sourceWeights,
        final int[] destinations, final int[] destWeights, final Info info, final boolean reorder)
        throws MPIException
    {
        open("MPI_Dist_graph_create_adjacent");
        final java.util.List<int[]> in = new java.util.ArrayList<>();
        final java.util.List<int[]> out = new java.util.ArrayList<>();
        for (int i = 0; i < sources.length; i++)
        {
            in.add(new int[]{sources[i], sourceWeights == null ? 1 : sourceWeights[i]});
        }
        for (int i = 0; i < destinations.length; i++)
        {
            out.add(new int[]{destinations[i], destWeights == null ? 1 : destWeights[i]});
        }
        return distGraph(in, out, sourceWeights != null);
    }

    public final GraphComm createDistGraphAdjacent(final int[] sources, final int[] destinations, final Info info,
        final boolean reorder) throws MPIException
    {
        return createDistGraphAdjacent(sources, null, destinations, null, info, reorder);
    }

    private GraphComm distGraph(final java.util.List<int[]> in, final java.util.List<int[]> out,
        final boolean weighted) throws MPIException
    {
        final Communicator c = splitOrRaise("MPI_Dist_graph_create", 0, p2p.rank());
        final DistGraphNeighbors nb = new DistGraphNeighbors(in.stream().mapToInt(a -> a[0]).toArray(),
            in.stream().mapToInt(a -> a[1]).toArray(), out.stream().mapToInt(a -> a[0]).toArray(),
            out.stream().mapToInt(a -> a[1]).toArray(), weighted);
        return derived(new GraphComm(c, nb));
    }

    public final void scan(final Object sendbuf, final Object recvbuf, final int count, final Datatype type,
        final Op op) throws MPIException
    {
        collectives.reduce("MPI_Scan", CollectiveCalls.SCAN, sendbuf, recvbuf, count, type, op, -1, false);
    }

    public final void scan(final Object recvbuf, final int count, final Datatype type, final Op op)
        throws MPIException
    {
        collectives.reduce("MPI_Scan", CollectiveCalls.SCAN, null, recvbuf, count, type, op, -1, false);
    }

    public final Request iScan(final Buffer sendbuf, final Buffer recvbuf, final int count, final Datatype type,
        final Op op) throws MPIException
    {
        direct(sendbuf, recvbuf);
        return collectives.reduce("MPI_Iscan", CollectiveCalls.SCAN, sendbuf, recvbuf, count, type, op, -1, true);
    }

    public final Request iScan(final Buffer buf, final int count, final Datatype type, final Op op)
        throws MPIException
    {
        direct(buf);
        return collectives.reduce("MPI_Iscan", CollectiveCalls.SCAN, null, buf, count, type, op, -1, true);
    }

    public final void exScan(final Object sendbuf, final Object recvbuf, final int count, final Datatype type,
        final Op op) throws MPIException
    {
        collectives.reduce("MPI_Exscan", CollectiveCalls.EXSCAN, sendbuf, recvbuf, count, type, op, -1, false);
    }

    public final void exScan(final Object buf, final int count, final Datatype type, final Op op)
        throws MPIException
    {
        collectives.reduce("MPI_Exscan", CollectiveCalls.EXSCAN, null, buf, count, type, op, -1, false);
    }

    public final Request iExScan(final Buffer sendbuf, final Buffer recvbuf, final int count, final Datatype type,
        final Op op) throws MPIException
    {
        direct(sendbuf, recvbuf);
        return collectives.reduce("MPI_Iexscan", CollectiveCalls.EXSCAN, sendbuf, recvbuf, count, type, op, -1,
            true);
    }

    public final Request iExScan(final Buffer buf, final int count, final Datatype type, final Op op)
        throws MPIException
    {
        direct(buf);
        return collectives.reduce("MPI_Iexscan", CollectiveCalls.EXSCAN, null, buf, count, type, op, -1, true);
    }

    // ----------------------------------------------- dynamic processes: not provided (docs/openmpi-java.md)

    private static MPIException dynamic(final String call) throws MPIException
    {
        MPI.check();
        return Errors.raise(MPI.COMM_WORLD, MPI.ERR_UNSUPPORTED_OPERATION, call, "Ringfold starts every rank of " +
            "a job at once (bin/mpjrun -np N); it has no ports, name service or spawning of new processes");
    }

    public static String openPort() throws MPIException
    {
        throw dynamic("MPI_Open_port");
    }

    public static String openPort(final Info info) throws MPIException
    {
        throw dynamic("MPI_Open_port");
    }

    public static void closePort(final String name) throws MPIException
    {
        throw dynamic("MPI_Close_port");
    }

    public final Intercomm accept(final String port, final int root) throws MPIException
    {
        throw dynamic("MPI_Comm_accept");
    }

    public final Intercomm accept(final String port, final Info info, final int root) throws MPIException
    {
        throw dynamic("MPI_Comm_accept");
    }

    public final Intercomm connect(final String port, final int root) throws MPIException
    {
        throw dynamic("MPI_Comm_connect");
    }

    public final Intercomm connect(final String port, final Info info, final int root) throws MPIException
    {
        throw dynamic("MPI_Comm_connect");
    }

    public static void publishName(final String service, final String port) throws MPIException
    {
        throw dynamic("MPI_Publish_name");
    }

    public static void publishName(final String service, final Info info, final String port) throws MPIException
    {
        throw dynamic("MPI_Publish_name");
    }

    public static void unpublishName(final String service, final String port) throws MPIException
    {
        throw dynamic("MPI_Unpublish_name");
    }

    public static void unpublishName(final String service, final Info info, final String port)
        throws MPIException
    {
        throw dynamic("MPI_Unpublish_name");
    }

    public static String lookupName(final String service) throws MPIException
    {
        throw dynamic("MPI_Lookup_name");
    }

    public static String lookupName(final String service, final Info info) throws MPIException
    {
        throw dynamic("MPI_Lookup_name");
    }

    public final Intercomm spawn(final String command, final String[] argv, final int maxprocs, final Info info,
        final int root, final int[] errcodes) throws MPIException
    {
        throw dynamic("MPI_Comm_spawn");
    }

    public final Intercomm spawnMultiple(final String[] commands, final String[][] argv, final int[] maxprocs,
        final Info[] info, final int root, final int[] errcodes) throws MPIException
    {
        throw dynamic("MPI_Comm_spawn_multiple");
    }
}
