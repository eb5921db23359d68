package dev.ringfold.mpi;

import dev.ringfold.mpi.auth.JobSecret;
import dev.ringfold.mpi.bootstrap.Contact;
import dev.ringfold.mpi.bootstrap.EndpointCard;
import dev.ringfold.mpi.bootstrap.JobInfo;
import dev.ringfold.mpi.bootstrap.LaunchEnvironment;
import dev.ringfold.mpi.bootstrap.NodeIdentity;
import dev.ringfold.mpi.bootstrap.RendezvousClient;
import dev.ringfold.mpi.bootstrap.RendezvousLostException;
import dev.ringfold.mpi.bootstrap.RendezvousServer;
import dev.ringfold.mpi.trace.Tracer;
import dev.ringfold.mpi.transport.Channel;
import dev.ringfold.mpi.transport.GoneChannel;
import dev.ringfold.mpi.transport.Transport;
import dev.ringfold.mpi.transport.mpinative.NativeTransport;
import dev.ringfold.mpi.transport.shm.ShmTransport;
import dev.ringfold.mpi.transport.tcp.TcpTransport;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The runtime of one rank: {@code try (Ringfold rf = Ringfold.init()) { Communicator world = rf.world(); ... }}.
 * {@link #init()} reads the launch environment (Ringfold's launcher, Slurm, Open MPI, torchrun, or none: a world
 * of one), meets the other ranks, and connects them: shared memory with ranks on the same node, TCP with the
 * others; or, with {@code RINGFOLD_DEV=native}, lets the site's MPI library carry everything (see
 * {@link NativeTransport}). {@link #close()} is the finalize.
 */
public final class Ringfold implements AutoCloseable
{
    private static final System.Logger LOG = RingfoldLog.logger(Ringfold.class);
    /** The exit status of a rank that stops because its launcher is gone. */
    public static final int EXIT_LAUNCHER_GONE = 125;

    private static Ringfold current;

    private final JobInfo job;
    private final Engine engine;
    private final Communicator world;
    private final int localRank;
    private final int localSize;
    private final String[] hosts;
    private final int tcpPort;

    private Ringfold(final JobInfo job, final Engine engine, final int localRank, final int localSize,
        final String[] hosts, final int tcpPort)
    {
        this.job = job;
        this.tcpPort = tcpPort;
        this.engine = engine;
        this.localRank = localRank;
        this.localSize = localSize;
        this.hosts = hosts;
        final int[] all = new int[job.size()];
        for (int r = 0; r < all.length; r++)
        {
            all[r] = r;
        }
        this.world = new Communicator(engine, "WORLD", 0, all);
    }

    /** Starts the runtime from this process's environment. Once per process. */
    public static synchronized Ringfold init()
    {
        return init(System.getenv());
    }

    static synchronized Ringfold init(final Map<String, String> env)
    {
        // before anything touches Agrona or makes a file: without the flags that would fail half-way
        JvmFlags.requireAll();
        if (current != null && !current.engine.isClosed())
        {
            throw new IllegalStateException("Ringfold is already initialised in this process (rank " +
                current.job.rank() + "); use the existing instance");
        }
        final JobInfo job = LaunchEnvironment.detect(env);
        RingfoldLog.configure(env, Integer.toString(job.rank()));
        final long startNs = System.nanoTime();
        final RuntimeSettings settings = RuntimeSettings.from(env).withJob(job.jobId());
        final int incarnation = job.launcher().equals("ringfold") ? LaunchEnvironment.incarnation(env) : 0;
        final Runnable removeSecret = () -> JobSecret.removeLaunchersFile(env, job.jobId());
        current = job.device().equals("native") ? overMpi(job, settings, env) : incarnation > 0 ?
            join(job, settings, JobSecret.fromEnvironment(env, job.jobId()), incarnation,
                LaunchEnvironment.nodeName(env, job), removeSecret) :
            bootstrap(job, settings, JobSecret.fromEnvironment(env, job.jobId()),
                LaunchEnvironment.nodeName(env, job), removeSecret, env.containsKey(LaunchEnvironment.INCARNATION));
        LOG.log(System.Logger.Level.INFO, () -> "rank " + job.rank() + " of " + job.size() + " on " +
            current.hosts[job.rank()] + " (" + job.launcher() + " launch, job " + job.jobId() + ", device " +
            job.device() + ", local rank " + current.localRank + " of " + current.localSize + ") ready after " +
            (System.nanoTime() - startNs) / 1_000_000 + " ms");
        return current;
    }

    public Communicator world()
    {
        return world;
    }

    /** This rank's index among the ranks of its node. */
    public int localRank()
    {
        return localRank;
    }

    /** How many ranks of the job share this rank's node. */
    public int localSize()
    {
        return localSize;
    }

    /** The host name of a world rank. */
    public String host(final int worldRank)
    {
        return hosts[worldRank];
    }

    public String jobId()
    {
        return job.jobId();
    }

    /** The settings this rank's runtime was started with: every RINGFOLD_* variable, read once. */
    public RuntimeSettings settings()
    {
        return engine.settings();
    }

    /**
     * The port this rank's TCP transport listens on, or 0 when it has no TCP peers (then it listens nowhere).
     * For tools and tests that need to know what this rank exposes.
     */
    public int tcpPort()
    {
        return tcpPort;
    }

    /** Who started the job: "ringfold", "slurm", "openmpi", "torchrun" or "singleton". */
    public String launcher()
    {
        return job.launcher();
    }

    /**
     * Where this rank's stall reports ({@link StallReport}) and errors that no call can throw go; by default each
     * is printed as one line on standard error. The handler runs on the thread that drives progress, inside a wait.
     */
    public Ringfold errorHandler(final org.agrona.ErrorHandler handler)
    {
        engine.errorHandler(java.util.Objects.requireNonNull(handler, "handler"));
        return this;
    }

    /**
     * Finalize, local: releases this rank's transports and mappings after pushing out what it has queued, and
     * tells the peers, so that any of their operations still waiting on this rank fail at once rather than hang.
     * It does not wait for the other ranks; call {@code world().barrier()} first where the program needs that.
     */
    @Override
    public void close()
    {
        try
        {
            world.close(); // what layers above attached to the world (collectives, node regions) goes first
        }
        finally
        {
            engine.close();
        }
        Tracer.writeIfOn(job.rank());
    }

    /**
     * @param nodeName the launcher's name for this node (Slurm's SLURMD_NODENAME), or null; where it resolves, its
     *                 address is the one to advertise for TCP, as it is the one the launcher itself reaches the node on.
     */
    /**
     * @param removeSecret removes the secret file the launcher made, for a rank that finds the launcher gone: the
     *                     last rank to notice leaves nothing of the job behind.
     */
    /**
     * @param takesReplacements whether the launcher may bring replacements of dead ranks (mpjrun
     *                          --max-replacements): only then does this rank answer their joins ({@link JoinDesk}).
     */
    private static Ringfold bootstrap(final JobInfo job, final RuntimeSettings settings, final JobSecret secret,
        final String nodeName, final Runnable removeSecret, final boolean takesReplacements)
    {
        // Ringfold's launcher opens the rendezvous before it starts any rank and keeps it until the job ends
        final boolean launcherHosts = job.launcher().equals("ringfold") && !job.hostsRendezvous();
        final int rank = job.rank();
        final int size = job.size();
        final long deadline = System.currentTimeMillis() + settings.bootstrapTimeoutMs();
        final String node = settings.nodeIdentity();
        final String hostName = NodeIdentity.hostName();
        final long pid = ProcessHandle.current().pid();
        final List<AutoCloseable> opened = new ArrayList<>();
        try
        {
            EndpointCard[] cards = {new EndpointCard(0, pid, node, hostName)};
            RendezvousClient rendezvous = null;
            JoinDesk desk = null;
            boolean loopback = false;
            if (size > 1)
            {
                loopback = isLoopback(job.rendezvousHost());
                if (job.hostsRendezvous())
                {
                    opened.add(RendezvousServer.start(loopback ? job.rendezvousHost() : "0.0.0.0",
                        job.rendezvousPort(), size, job.jobId(), secret, settings.bootstrapTimeoutMs()));
                }
                if (!secret.authenticated() && rank == 0)
                {
                    LOG.log(System.Logger.Level.WARNING, "job " + job.jobId() + " has no secret (" +
                        JobSecret.FILE_VARIABLE + " or " + JobSecret.VARIABLE + "): its connections are checked " +
                        "against a key derived from the job id, which keeps other jobs out but is not authentication");
                }
                rendezvous = RendezvousClient.connect(job.rendezvousHost(), job.rendezvousPort(), rank, size,
                    job.jobId(), secret, deadline, launcherHosts);
                opened.add(rendezvous);
                final byte[][] blobs = rendezvous.allGather(new EndpointCard(rank, pid, node, hostName).encode());
                cards = new EndpointCard[size];
                for (int r = 0; r < size; r++)
                {
                    cards[r] = EndpointCard.decode(blobs[r]);
                }
            }

            final long[] pids = new long[size];
            final String[] hosts = new String[size];
            final List<Integer> sameNode = new ArrayList<>();
            final List<Integer> remote = new ArrayList<>();
            for (int r = 0; r < size; r++)
            {
                pids[r] = cards[r].pid();
                hosts[r] = cards[r].host();
                if (cards[r].node().equals(node))
                {
                    sameNode.add(r);
                }
                if (r != rank && (!cards[r].node().equals(node) || job.device().equals("tcp")))
                {
                    remote.add(r);
                }
            }
            if (job.device().equals("shm") && !remote.isEmpty())
            {
                throw new RingfoldException("rank " + rank + ": RINGFOLD_DEV=shm, but ranks " + remote +
                    " are on other nodes (" + hosts[remote.get(0)] + "); use auto or tcp");
            }
            final int[] shmRanks = job.device().equals("tcp") ? new int[] {rank} :
                sameNode.stream().mapToInt(Integer::intValue).toArray();
            LOG.log(System.Logger.Level.DEBUG, () -> "rank " + rank + ": shared memory with ranks " +
                java.util.Arrays.toString(shmRanks) + ", TCP with ranks " + remote);
            // only a rank with peers on TCP listens: a job on one node opens no socket but the rendezvous's
            TcpTransport tcp = null;
            if (!remote.isEmpty())
            {
                // the address this rank reached the rendezvous from is one the network routes
                final String tcpHost = settings.tcpHost() != null ? settings.tcpHost() :
                    loopback ? "127.0.0.1" : advertisedAddress(nodeName, rendezvous.localAddress());
                tcp = TcpTransport.listen(tcpHost, tcpHost, rank, size, secret, job.jobId());
                opened.add(tcp);
            }
            final ShmTransport shm = ShmTransport.create(settings.shmDir(), job.jobId(), rank, size, shmRanks,
                settings.ringBytes());
            opened.add(shm);
            // every ring file exists and every TCP peer listens; the files' names travel only this way
            final Contact[] contacts = new Contact[size];
            final Contact own = new Contact(shm.fileName(), tcp == null ? "" : tcp.advertisedHost(),
                tcp == null ? 0 : tcp.port());
            if (rendezvous != null)
            {
                final byte[][] blobs = rendezvous.allGather(own.encode());
                for (int r = 0; r < size; r++)
                {
                    contacts[r] = Contact.decode(blobs[r]);
                }
            }
            else
            {
                contacts[rank] = own;
            }
            if (tcp != null)
            {
                final String[] tcpHosts = new String[size];
                final int[] tcpPorts = new int[size];
                for (final int r : remote)
                {
                    if (contacts[r].tcpPort() == 0)
                    {
                        throw new RingfoldException("rank " + rank + " needs TCP to rank " + r + " (" + hosts[r] +
                            "), which does not listen: do the ranks have the same RINGFOLD_DEV?");
                    }
                    tcpHosts[r] = contacts[r].tcpHost();
                    tcpPorts[r] = contacts[r].tcpPort();
                }
                tcp.connect(remote.stream().mapToInt(Integer::intValue).toArray(), tcpHosts, tcpPorts, deadline);
            }
            final String[] fileNames = new String[size];
            for (int r = 0; r < size; r++)
            {
                fileNames[r] = contacts[r].ringFile();
            }
            shm.mapPeers(settings.shmDir(), job.jobId(), fileNames, pids);
            if (rendezvous != null)
            {
                rendezvous.barrier(); // every peer has mapped and connected: the names can go
                if (launcherHosts)
                {
                    desk = takesReplacements ? new JoinDesk(cards[rank], size, settings.shmDir(), job.jobId(),
                        settings.bootstrapTimeoutMs()) : null;
                    rendezvous.holdAsLifeline(() -> launcherLost(rank, removeSecret), desk);
                }
                else
                {
                    rendezvous.close();
                }
            }
            shm.unlinkOwn();

            final Channel[] channels = new Channel[size];
            for (int r = 0; r < size; r++)
            {
                channels[r] = shm.channel(r) != null ? shm.channel(r) : tcp.channel(r);
            }
            final Transport[] transports = tcp == null ? new Transport[] {shm} : new Transport[] {shm, tcp};
            final Engine engine = new Engine(rank, size, transports, channels, pids,
                settings.withLocalRanks(sameNode.size()));
            if (desk != null)
            {
                desk.attach(engine, shm, tcp);
            }
            return new Ringfold(job, engine, sameNode.indexOf(rank), sameNode.size(), hosts,
                tcp == null ? 0 : tcp.port());
        }
        catch (final IOException | RuntimeException ex)
        {
            if (launcherHosts && ex instanceof RendezvousLostException)
            {
                removeSecret.run();
            }
            closeAll(opened);
            LOG.log(System.Logger.Level.DEBUG, "start-up failed", ex);
            throw new RingfoldException("rank " + rank + " of " + size + " (" + job.launcher() + " launch, job " +
                job.jobId() + "): start-up failed: " + ex.getMessage(), ex);
        }
    }

    /**
     * The start of a replacement of a dead rank (mpjrun --elastic, {@code RINGFOLD_INCARNATION > 0}): the job runs
     * already, so there is no start-up to take part in. The launcher's rendezvous admits this process to the dead
     * rank's slot (the same secret handshake, and only for the incarnation the launcher reopened the slot with) and
     * carries three rounds to the survivors ({@link JoinDesk}): the cards (each survivor settles the old process's
     * death and answers with a link to its file, where it reached the old process over shared memory, or with the
     * address it listens on, where over TCP; this rank then connects to the latter, its incarnation in the hello),
     * this rank's file (each survivor on its node's shared memory maps it; each on TCP waits for its connection), and
     * the admission (each survivor lets this process take the slot). A rank that did not answer was gone too and is
     * failed here from the start.
     */
    private static Ringfold join(final JobInfo job, final RuntimeSettings settings, final JobSecret secret,
        final int incarnation, final String nodeName, final Runnable removeSecret)
    {
        final int rank = job.rank();
        final int size = job.size();
        final long deadline = System.currentTimeMillis() + settings.bootstrapTimeoutMs();
        final String node = NodeIdentity.current(settings.nodeOverride());
        final long pid = ProcessHandle.current().pid();
        final List<AutoCloseable> opened = new ArrayList<>();
        try
        {
            if (!job.launcher().equals("ringfold"))
            {
                throw new RingfoldException("a replacement joins a job started by mpjrun; this one was started by " +
                    job.launcher());
            }
            final RendezvousClient rendezvous = RendezvousClient.connect(job.rendezvousHost(), job.rendezvousPort(),
                rank, size, job.jobId(), secret, deadline, true, incarnation);
            opened.add(rendezvous);
            final EndpointCard own = new EndpointCard(rank, pid, node, NodeIdentity.hostName());
            final byte[][] blobs = rendezvous.allGather(own.encode());
            final long[] pids = new long[size];
            final String[] hosts = new String[size];
            final String[] links = new String[size];
            final String[] tcpHosts = new String[size];
            final int[] tcpPorts = new int[size];
            final List<Integer> tcpPeers = new ArrayList<>();
            boolean anyAnswer = false;
            int[] layout = {rank};
            for (int r = 0; r < size; r++)
            {
                if (r == rank)
                {
                    pids[r] = pid;
                    hosts[r] = own.host();
                    continue;
                }
                if (blobs[r].length == 0)
                {
                    hosts[r] = "(gone)";
                    continue;
                }
                final JoinDesk.Answer answer = JoinDesk.Answer.decode(blobs[r]);
                anyAnswer = true;
                pids[r] = answer.card().pid();
                hosts[r] = answer.card().host();
                if (answer.viaShm())
                {
                    if (!answer.card().node().equals(node) || java.util.Arrays.binarySearch(answer.layout(), rank) < 0)
                    {
                        throw new RingfoldException("world rank " + r + " on " + answer.card().host() + " (node " +
                            answer.card().node() + ") reaches rank " + rank + " through its node's shared memory " +
                            java.util.Arrays.toString(answer.layout()) + ", and this replacement runs on node " + node +
                            ": it must run on the dead rank's node");
                    }
                    links[r] = answer.link();
                    layout = answer.layout();
                }
                else if (answer.viaTcp())
                {
                    tcpPeers.add(r);
                    tcpHosts[r] = answer.tcpHost();
                    tcpPorts[r] = answer.tcpPort();
                }
                else
                {
                    throw new RingfoldException("world rank " + r + " on " + answer.card().host() + " (node " +
                        answer.card().node() + ") cannot serve a replacement of rank " + rank + " on node " + node +
                        (answer.card().node().equals(node) ? ": it listens on no TCP port" :
                            ": they shared memory, and this replacement runs on another node"));
                }
            }
            if (!anyAnswer)
            {
                throw new RingfoldException("no rank of the job answered: nobody is left to join");
            }
            final ShmTransport shm = ShmTransport.create(settings.shmDir(), job.jobId(), rank, size, layout,
                settings.ringBytes());
            opened.add(shm);
            // with a TCP peer, or a gone rank that may come back on another node, this rank listens for later ones
            TcpTransport tcp = null;
            if (!tcpPeers.isEmpty() || job.device().equals("tcp"))
            {
                final String tcpHost = settings.tcpHost() != null ? settings.tcpHost() :
                    isLoopback(job.rendezvousHost()) ? "127.0.0.1" :
                        advertisedAddress(nodeName, rendezvous.localAddress());
                tcp = TcpTransport.listen(tcpHost, tcpHost, rank, size, secret, job.jobId());
                opened.add(tcp);
                tcp.connectAsReplacement(tcpPeers.stream().mapToInt(Integer::intValue).toArray(), tcpHosts, tcpPorts,
                    incarnation, deadline);
            }
            rendezvous.allGather(shm.fileName().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            shm.mapPeersThroughLinks(settings.shmDir(), job.jobId(), links, pids);
            rendezvous.barrier(); // every survivor has this rank in its engine: from now on they hear it
            shm.unlinkOwn();
            final JoinDesk desk = new JoinDesk(own, size, settings.shmDir(), job.jobId(),
                settings.bootstrapTimeoutMs());
            rendezvous.holdAsLifeline(() -> launcherLost(rank, removeSecret), desk);
            final Channel[] channels = new Channel[size];
            final int frameLimit = shm.channel(rank).maxFrameLength();
            for (int r = 0; r < size; r++)
            {
                channels[r] = shm.channel(r) != null ? shm.channel(r) : tcp != null && tcp.channel(r) != null ?
                    tcp.channel(r) : new GoneChannel(frameLimit);
            }
            final Transport[] transports = tcp == null ? new Transport[] {shm} : new Transport[] {shm, tcp};
            final Engine engine = new Engine(rank, size, transports, channels, pids,
                settings.withLocalRanks(layout.length));
            for (int r = 0; r < size; r++)
            {
                if (r != rank && links[r] == null && tcpHosts[r] == null)
                {
                    engine.markGone(r, "it was gone when this rank joined as incarnation " + incarnation);
                }
                else if (links[r] != null && shm.failure(r) != null)
                {
                    // it answered this rank's first round and died before this rank mapped its file
                    engine.markGone(r, shm.failure(r) + " as incarnation " + incarnation);
                }
            }
            engine.joinedAs(incarnation);
            desk.attach(engine, shm, tcp);
            return new Ringfold(job, engine, java.util.Arrays.binarySearch(layout, rank), layout.length, hosts,
                tcp == null ? 0 : tcp.port());
        }
        catch (final IOException | RuntimeException ex)
        {
            if (ex instanceof RendezvousLostException)
            {
                removeSecret.run();
            }
            closeAll(opened);
            throw new RingfoldException("rank " + rank + " of " + size + " (replacement, incarnation " +
                incarnation + ", job " + job.jobId() + "): joining failed: " + ex.getMessage(), ex);
        }
    }

    /** Closes what a failed start opened, the last first. */
    private static void closeAll(final List<AutoCloseable> opened)
    {
        for (int i = opened.size() - 1; i >= 0; i--)
        {
            try
            {
                opened.get(i).close();
            }
            catch (final Exception ignore)
            {
            }
        }
    }

    /**
     * The launcher is gone (killed, SIGKILL included, or stopping the job): this rank must not outlive it, whatever
     * it is doing. Its ring file was unlinked at the end of the bootstrap; the launcher's secret file goes too, as
     * the launcher cannot remove it any more. Halts rather than exits: shutdown hooks could wait on a peer that is
     * going the same way.
     */
    private static void launcherLost(final int rank, final Runnable removeSecret)
    {
        System.err.println("ringfold: rank " + rank + ": the launcher is gone (its rendezvous connection closed); " +
            "exiting");
        System.err.flush();
        removeSecret.run();
        Runtime.getRuntime().halt(EXIT_LAUNCHER_GONE);
    }

    /**
     * The native device: the MPI library's launcher started the ranks and MPI carries every frame, so there is no
     * rendezvous, no ring file and no socket; one all-gather over MPI tells each rank where the others run.
     */
    private static Ringfold overMpi(final JobInfo job, final RuntimeSettings settings, final Map<String, String> env)
    {
        final NativeTransport mpi;
        try
        {
            mpi = NativeTransport.start(env);
        }
        catch (final RuntimeException ex)
        {
            throw new RingfoldException("rank " + job.rank() + " of " + job.size() + " (" + job.launcher() +
                " launch, RINGFOLD_DEV=native): start-up failed: " + ex.getMessage(), ex);
        }
        try
        {
            if (mpi.rank() != job.rank() || mpi.size() != job.size())
            {
                throw new RingfoldException("MPI (" + mpi.library() + ") sees rank " + mpi.rank() + " of " +
                    mpi.size() + " where the " + job.launcher() + " environment says rank " + job.rank() + " of " +
                    job.size() + ": the native device needs ranks started by the MPI library's own launcher " +
                    "(mpjrun -dev native, mpirun, or srun --mpi=pmix)");
            }
            final int rank = mpi.rank();
            final int size = mpi.size();
            final String node = settings.nodeIdentity();
            final byte[][] blobs = mpi.allGather(new EndpointCard(rank, ProcessHandle.current().pid(), node,
                NodeIdentity.hostName()).encode(), 1024);
            final long[] pids = new long[size];
            final String[] hosts = new String[size];
            final Channel[] channels = new Channel[size];
            final List<Integer> sameNode = new ArrayList<>();
            for (int r = 0; r < size; r++)
            {
                final EndpointCard card = EndpointCard.decode(blobs[r]);
                pids[r] = card.pid();
                hosts[r] = card.host();
                channels[r] = mpi.channel(r);
                if (card.node().equals(node))
                {
                    sameNode.add(r);
                }
            }
            final Engine engine = new Engine(rank, size, new Transport[] {mpi}, channels, pids,
                settings.withLocalRanks(sameNode.size()));
            return new Ringfold(job, engine, sameNode.indexOf(rank), sameNode.size(), hosts, 0);
        }
        catch (final RuntimeException ex)
        {
            mpi.close();
            throw new RingfoldException("rank " + job.rank() + " of " + job.size() + " (" + job.launcher() +
                " launch, RINGFOLD_DEV=native): start-up failed: " + ex.getMessage(), ex);
        }
    }

    /**
     * The address to listen on and advertise for TCP: that of the Slurm node name where it resolves (the address
     * Slurm itself uses for the node), else the local address of this rank's connection to the rendezvous, which
     * the network routes towards the other hosts (unlike this host's name, which Debian-style /etc/hosts files
     * map to 127.0.1.1).
     */
    private static String advertisedAddress(final String nodeName, final String rendezvousLocalAddress)
    {
        if (nodeName != null)
        {
            try
            {
                return InetAddress.getByName(nodeName).getHostAddress();
            }
            catch (final IOException ex)
            {
                // not resolvable here: the rendezvous connection's address is as good
            }
        }
        return rendezvousLocalAddress;
    }

    private static boolean isLoopback(final String host)
    {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }
}
