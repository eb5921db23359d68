package dev.ringfold.tensors;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.mpi.auth.KernelRandom;
import dev.ringfold.mpi.bootstrap.NodeIdentity;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tensors whose bytes other ranks on the same node can map and use in place ("SPMD ranks share Arrow buffers").
 * Each tensor is its own file, {@code <dir>/ringfold-<job>-t<rank>-<seq>} (dir: RINGFOLD_SHM_DIR, default
 * /dev/shm), mode 0600, mapped and handed to an Arrow child allocator with
 * {@link BufferAllocator#wrapForeignAllocation}: Arrow counts the bytes against its limits and reports tensors
 * still open when this allocator closes.
 * <p>
 * A peer maps the tensor from its {@link SharedTensorHandle} ({@link SharedTensors} sends those over a
 * communicator). The file's name goes when the last process using it closes its last tensor over it; a
 * process that exits gives up its uses in a shutdown hook, and after a job the launcher removes every
 * {@code ringfold-<job>-*} left by ranks that were killed.
 */
public final class NodeSharedAllocator implements AutoCloseable
{
    private static final AtomicLong SEQUENCE = new AtomicLong(); // per process: names never repeat in a job

    private final BufferAllocator arrow;
    private final Path dir;
    private final String jobId;
    private final int rank;
    private final String node;

    /**
     * An allocator for this rank of a running job: files in RINGFOLD_SHM_DIR (default /dev/shm), named after the
     * job and the rank's world rank, accounted in a child of {@code parent}.
     */
    public static NodeSharedAllocator create(final Ringfold ringfold, final BufferAllocator parent)
    {
        return new NodeSharedAllocator(parent, ringfold.settings().shmDir(), ringfold.jobId(), ringfold.world().rank(),
            ringfold.settings().nodeIdentity());
    }

    /**
     * For a library layer that holds a communicator but not the {@link Ringfold} instance (the data-parallel
     * buckets): the same folder and job id, from the communicator's settings, and this rank's world rank.
     */
    public static NodeSharedAllocator create(final Communicator comm, final BufferAllocator parent)
    {
        return new NodeSharedAllocator(parent, comm.settings().shmDir(), comm.settings().jobId(),
            comm.worldRank(comm.rank()), comm.settings().nodeIdentity());
    }

    /**
     * For a directory, job id and rank of one's choosing (tests, or programs that do not run Ringfold), on this
     * machine's node identity (host name, boot id, network namespace; RINGFOLD_NODE is a setting of a running job).
     */
    public NodeSharedAllocator(final BufferAllocator parent, final Path dir, final String jobId, final int rank)
    {
        this(parent, dir, jobId, rank, NodeIdentity.current(null));
    }

    /** As above, with the node identity that handles carry and that {@link #map} accepts. */
    public NodeSharedAllocator(final BufferAllocator parent, final Path dir, final String jobId, final int rank,
        final String node)
    {
        if (parent == null || dir == null || jobId == null || node == null)
        {
            throw new NullPointerException("NodeSharedAllocator: parent, dir, jobId and node are required");
        }
        if (!jobId.matches("[A-Za-z0-9_.-]+"))
        {
            throw new IllegalArgumentException("NodeSharedAllocator: job id '" + jobId + "' must be [A-Za-z0-9_.-]+ " +
                "(it names files)");
        }
        Tensors.checkAllocator(parent, "NodeSharedAllocator");
        this.arrow = parent.newChildAllocator("node-shared(job " + jobId + ", rank " + rank + ")", 0, Long.MAX_VALUE);
        this.dir = dir;
        this.jobId = jobId;
        this.rank = rank;
        this.node = node;
    }

    /** The Arrow allocator the shared tensors are accounted in. */
    public BufferAllocator arrowAllocator()
    {
        return arrow;
    }

    public Path directory()
    {
        return dir;
    }

    public String jobId()
    {
        return jobId;
    }

    public int rank()
    {
        return rank;
    }

    /** This process's node identity, as handles carry it. */
    public String node()
    {
        return node;
    }

    /** A new shared tensor of zeros (a fresh file's pages are zero). */
    public Tensor allocate(final DType dtype, final long... shape)
    {
        return allocate(null, dtype, shape);
    }

    /** A new named shared tensor of zeros. */
    public Tensor allocate(final String name, final DType dtype, final long... shape)
    {
        final long[] checked = Shapes.checked(dtype, shape, "allocate shared " + dtype + "[]");
        final String what = "allocate shared " + Shapes.describe(name, dtype, checked);
        Tensors.checkAllocator(arrow, what);
        // random bytes in the name: no other user can predict it and create it first
        final Path path = dir.resolve("ringfold-" + jobId + "-t" + rank + "-" + SEQUENCE.incrementAndGet() + "-" +
            KernelRandom.nameSuffix());
        final SharedFile file = SharedFile.create(path, dtype, Shapes.count(checked) * dtype.bytes(), what);
        return wrap(file, SharedFile.HEADER_BYTES, dtype, checked, name);
    }

    /** What a node peer needs to map this tensor: {@link SharedTensorHandle#of}, on this allocator's node. */
    public SharedTensorHandle handle(final Tensor tensor)
    {
        return SharedTensorHandle.of(tensor, node);
    }

    /**
     * Maps a node peer's tensor: the returned tensor is the same memory, reads see the peer's writes and writes
     * are seen by the peer (order them with messages or a barrier). Close it like any other tensor.
     */
    public Tensor map(final SharedTensorHandle handle)
    {
        final String what = "map " + handle.describe();
        Tensors.checkAllocator(arrow, what);
        if (!handle.node().equals(node))
        {
            throw new IllegalArgumentException(what + ": it lives on node " + handle.node() + ", this rank on " +
                node + "; only ranks of one node share memory");
        }
        final String fileName = handle.fileName();
        if (!fileName.startsWith("ringfold-") || fileName.contains("/") || fileName.equals(".."))
        {
            throw new IllegalArgumentException(what + ": '" + fileName + "' is not a shared tensor file name");
        }
        if (handle.fileOffset() < SharedFile.HEADER_BYTES)
        {
            throw new IllegalArgumentException(what + ": offset " + handle.fileOffset() + " is inside the header");
        }
        final long end = handle.fileOffset() + handle.byteSize();
        final SharedFile file = SharedFile.open(dir.resolve(fileName), handle.dtype(),
            end - SharedFile.HEADER_BYTES, what);
        return wrap(file, handle.fileOffset(), handle.dtype(), handle.shape(), handle.name());
    }

    private Tensor wrap(final SharedFile file, final long offset, final DType dtype, final long[] shape,
        final String name)
    {
        final ArrowBuf buffer;
        try
        {
            buffer = arrow.wrapForeignAllocation(file);
        }
        catch (final RuntimeException ex)
        {
            file.release0(); // Arrow did not take it (over a limit): give up the use and unmap here
            throw ex;
        }
        return new Tensor(arrow, buffer, offset, dtype, shape, Shapes.rowMajorStrides(shape), name, file);
    }

    /** Closes the Arrow child allocator: Arrow reports any shared tensor still open here as a leak. */
    @Override
    public void close()
    {
        arrow.close();
    }

    @Override
    public String toString()
    {
        return arrow.getName() + " in " + dir;
    }
}
