package dev.ringfold.tensors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What a node peer needs to map a shared tensor: the node it lives on, its file's name, where its first element
 * is in the file, dtype, shape and name. Small and self-contained: {@link #encode()} gives the bytes that
 * {@link SharedTensors} sends point-to-point, {@link #decode} reads them back.
 */
public final class SharedTensorHandle
{
    private static final int MAGIC = 0x52465448; // "RFTH"
    private static final int VERSION = 1;

    private final String node;
    private final String fileName;
    private final long fileOffset;
    private final DType dtype;
    private final long[] shape;
    private final String name;

    SharedTensorHandle(final String node, final String fileName, final long fileOffset, final DType dtype,
        final long[] shape, final String name)
    {
        this.node = node;
        this.fileName = fileName;
        this.fileOffset = fileOffset;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.name = name;
    }

    /**
     * The handle of a contiguous tensor from a {@link NodeSharedAllocator} (any of its dense views too), made on
     * node {@code node} (the allocator's: {@link NodeSharedAllocator#handle} passes it).
     */
    public static SharedTensorHandle of(final Tensor tensor, final String node)
    {
        tensor.checkOpen("handle");
        if (!tensor.isNodeShared())
        {
            throw new IllegalArgumentException("handle of " + tensor.describe() + ": it is not node-shared; " +
                "allocate it with a NodeSharedAllocator (or copyFrom into such a tensor)");
        }
        if (!tensor.isContiguous())
        {
            throw new TensorNotContiguousException("handle of " + tensor.describe() + ": a peer maps dense tensors " +
                "only; publish the parent or a slice along dimension 0");
        }
        return new SharedTensorHandle(node,
            tensor.sharedFile().path().getFileName().toString(), tensor.byteOffset(), tensor.dtype(),
            tensor.shape(), tensor.name());
    }

    /** The node identity of the rank that made it (host, boot id, network namespace, or RINGFOLD_NODE). */
    public String node()
    {
        return node;
    }

    /** The file's name in the node-shared directory: {@code ringfold-<job>-t<rank>-<seq>}. */
    public String fileName()
    {
        return fileName;
    }

    /** Byte offset of element [0,...,0] from the start of the file (past the header). */
    public long fileOffset()
    {
        return fileOffset;
    }

    public DType dtype()
    {
        return dtype;
    }

    public long[] shape()
    {
        return shape.clone();
    }

    /** The tensor's name, or null. */
    public String name()
    {
        return name;
    }

    public long byteSize()
    {
        return Shapes.count(shape) * dtype.bytes();
    }

    /** How messages name the tensor behind the handle. */
    public String describe()
    {
        return "shared " + Shapes.describe(name, dtype, shape);
    }

    public byte[] encode()
    {
        final byte[] nodeBytes = node.getBytes(StandardCharsets.UTF_8);
        final byte[] fileBytes = fileName.getBytes(StandardCharsets.UTF_8);
        final byte[] nameBytes = name == null ? null : name.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer b = ByteBuffer.allocate(4 * 8 + 8 + 8 * shape.length + nodeBytes.length + fileBytes.length +
            (nameBytes == null ? 0 : nameBytes.length)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(VERSION).putInt(dtype.ordinal()).putInt(shape.length).putLong(fileOffset);
        for (final long extent : shape)
        {
            b.putLong(extent);
        }
        b.putInt(nodeBytes.length).put(nodeBytes).putInt(fileBytes.length).put(fileBytes);
        b.putInt(nameBytes == null ? -1 : nameBytes.length);
        if (nameBytes != null)
        {
            b.put(nameBytes);
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    /** Reads {@link #encode()}'s bytes; anything else is an IllegalArgumentException that says what is wrong. */
    public static SharedTensorHandle decode(final byte[] bytes)
    {
        try
        {
            final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            final int magic = b.getInt();
            final int version = b.getInt();
            if (magic != MAGIC || version != VERSION)
            {
                throw new IllegalArgumentException("not a shared tensor handle (magic " + Integer.toHexString(magic) +
                    ", version " + version + "; expected " + Integer.toHexString(MAGIC) + ", " + VERSION + ")");
            }
            final int dtypeIndex = b.getInt();
            final int rank = b.getInt();
            if (dtypeIndex < 0 || dtypeIndex >= DType.values().length || rank < 0 || rank > 64)
            {
                throw new IllegalArgumentException("shared tensor handle with dtype #" + dtypeIndex + " and rank " +
                    rank);
            }
            final long fileOffset = b.getLong();
            final long[] shape = new long[rank];
            for (int d = 0; d < rank; d++)
            {
                shape[d] = b.getLong();
            }
            final String node = string(b, b.getInt());
            final String file = string(b, b.getInt());
            final int nameLength = b.getInt();
            final String name = nameLength < 0 ? null : string(b, nameLength);
            final DType dtype = DType.values()[dtypeIndex];
            return new SharedTensorHandle(node, file, fileOffset, dtype,
                Shapes.checked(dtype, shape, "shared tensor handle"), name);
        }
        catch (final java.nio.BufferUnderflowException | NegativeArraySizeException ex)
        {
            throw new IllegalArgumentException("shared tensor handle of " + bytes.length + " bytes is truncated", ex);
        }
    }

    private static String string(final ByteBuffer b, final int length)
    {
        final byte[] bytes = new byte[length];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public String toString()
    {
        return describe() + " in " + fileName + " at " + fileOffset + " on " + node;
    }
}
