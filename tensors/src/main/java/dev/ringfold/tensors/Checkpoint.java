package dev.ringfold.tensors;

import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.BaseRepeatedValueVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.InvalidArrowFileException;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageMetadataResult;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A set of named tensors in an Arrow IPC file: a model checkpoint. Each tensor is one column of a one-row record
 * batch, a {@code FixedSizeList<dtype>[elementCount]}, with its dtype and shape in the field's metadata
 * ({@code ringfold.dtype}, {@code ringfold.shape}); any Arrow reader can open the file.
 * <p>
 * {@link #write} writes to a temporary file beside the target, forces it to disk and renames it over the target,
 * so a reader sees the old checkpoint or the new one, never half of one. {@link #read} maps the file
 * copy-on-write and hands out tensors over the mapping: nothing is copied, the page cache serves the bytes,
 * and writes to those tensors stay in this process. {@link Mode#COPIED} reads into allocator memory instead.
 * <p>
 * A Checkpoint owns the tensors it returns; {@link #close()} closes them ({@link Tensor#view()} one to keep it
 * longer). The mapping lives until the last tensor over it is closed.
 */
public final class Checkpoint implements AutoCloseable
{
    public static final String SHAPE_KEY = "ringfold.shape";
    /** Footer metadata marking the file as a Ringfold checkpoint, with the layout version. */
    public static final String FORMAT_KEY = "ringfold.checkpoint";
    private static final String FORMAT_VERSION = "1";
    private static final AtomicLong TEMP_SEQUENCE = new AtomicLong();

    /** How {@link #read} brings the bytes in. */
    public enum Mode
    {
        /** Map the file copy-on-write; tensors point into the mapping. */
        MAPPED,
        /** Read the file into buffers of the allocator. */
        COPIED
    }

    private final Path file;
    private final Mode mode;
    private final Map<String, Tensor> tensors;

    private Checkpoint(final Path file, final Mode mode, final Map<String, Tensor> tensors)
    {
        this.file = file;
        this.mode = mode;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    public Path file()
    {
        return file;
    }

    public Mode mode()
    {
        return mode;
    }

    /** The names in file order. */
    public Set<String> names()
    {
        return tensors.keySet();
    }

    /** Name to tensor, in file order; the tensors belong to this checkpoint. */
    public Map<String, Tensor> tensors()
    {
        return tensors;
    }

    public Tensor get(final String name)
    {
        final Tensor t = tensors.get(name);
        if (t == null)
        {
            throw new IllegalArgumentException("checkpoint " + file + " has no tensor '" + name + "'; it has " +
                tensors.keySet());
        }
        return t;
    }

    /** Closes every tensor read; views taken from them stay valid. */
    @Override
    public void close()
    {
        for (final Tensor t : tensors.values())
        {
            t.close();
        }
    }

    // -------------------------------------------------------------------------------------------------- write

    /**
     * Writes the tensors, named by their keys, in the map's order. Strided tensors are copied to dense form
     * first; contiguous ones are written straight from their buffers. Replaces {@code file} atomically.
     */
    public static void write(final Path file, final Map<String, Tensor> tensors)
    {
        if (file == null || tensors == null)
        {
            throw new NullPointerException("write checkpoint: " + (file == null ? "file" : "tensors") + " is null");
        }
        for (final Map.Entry<String, Tensor> e : tensors.entrySet())
        {
            checkEntry(file, e.getKey(), e.getValue());
        }
        removeStaleTemps(file);
        final List<Tensor> copies = new ArrayList<>();
        final List<Field> fields = new ArrayList<>();
        final List<FieldVector> vectors = new ArrayList<>();
        final Path temp = file.resolveSibling(tempPrefix(file) + ProcessHandle.current().pid() +
            "-" + TEMP_SEQUENCE.incrementAndGet());
        try
        {
            for (final Map.Entry<String, Tensor> e : tensors.entrySet())
            {
                Tensor t = e.getValue();
                if (!t.isContiguous())
                {
                    t = t.copy();
                    copies.add(t);
                }
                final FieldVector vector = column(e.getKey(), t).createVector(t.allocator());
                vectors.add(vector);
                fields.add(vector.getField());
                ArrowVectors.load(vector, t.arrowBuf().slice(t.byteOffset(), t.byteSize()), 1);
            }
            final VectorSchemaRoot root = new VectorSchemaRoot(fields, List.copyOf(vectors), 1);
            vectors.clear(); // the root closes them from here on
            try (root;
                 FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                     StandardOpenOption.WRITE);
                 ArrowFileWriter writer = new ArrowFileWriter(root, null, channel,
                     Map.of(FORMAT_KEY, FORMAT_VERSION)))
            {
                writer.start();
                writer.writeBatch();
                writer.end();
                channel.force(true); // on disk before the rename makes it the checkpoint
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("write checkpoint " + file + ": " + ex.getMessage(), ex);
        }
        finally
        {
            vectors.forEach(FieldVector::close);
            copies.forEach(Tensor::close);
            try
            {
                Files.deleteIfExists(temp);
            }
            catch (final IOException ignore)
            {
                // best effort: the temporary name is ours alone and hidden
            }
        }
    }

    /** ".NAME.tmp-": what the temporary files of {@code file} are called, then the writer's pid and a sequence. */
    private static String tempPrefix(final Path file)
    {
        return "." + file.getFileName() + ".tmp-";
    }

    /**
     * Removes the temporary files of {@code file} whose writer is dead: a process killed while it wrote (SIGKILL
     * runs no clean-up) leaves one as large as the checkpoint. Those of live processes are theirs to finish.
     */
    static void removeStaleTemps(final Path file)
    {
        final Path dir = file.toAbsolutePath().getParent();
        final String prefix = tempPrefix(file);
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir,
            p -> p.getFileName().toString().startsWith(prefix)))
        {
            for (final Path temp : temps)
            {
                final String rest = temp.getFileName().toString().substring(prefix.length());
                final int dash = rest.indexOf('-');
                try
                {
                    final long pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    {
                        continue;
                    }
                }
                catch (final NumberFormatException ex)
                {
                    continue; // not named by write: not ours to remove
                }
                Files.deleteIfExists(temp);
            }
        }
        catch (final IOException ignore)
        {
            // best effort: a directory we may not list, or a file another process removed meanwhile
        }
    }

    private static void checkEntry(final Path file, final String name, final Tensor t)
    {
        if (name == null || name.isEmpty())
        {
            throw new IllegalArgumentException("write checkpoint " + file + ": a tensor needs a non-empty name, " +
                "given " + (name == null ? "null" : "\"\"") + (t == null ? "" : " for " + t.describe()));
        }
        if (t == null)
        {
            throw new NullPointerException("write checkpoint " + file + ": tensor '" + name + "' is null");
        }
        t.checkOpen("write checkpoint " + file + " (as '" + name + "')");
        if (t.elementCount() > Integer.MAX_VALUE)
        {
            throw new TensorShapeException("write checkpoint " + file + ": tensor '" + name + "' " +
                t.describe() + " has " + t.elementCount() + " elements; an Arrow list holds at most " +
                Integer.MAX_VALUE + " (split it)");
        }
    }

    /** One tensor's column: FixedSizeList[count] of the dtype, dtype and shape in the metadata. */
    private static Field column(final String name, final Tensor t)
    {
        final Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(ArrowVectors.DTYPE_KEY, t.dtype().name());
        metadata.put(SHAPE_KEY, shapeText(t.shape()));
        final int count = (int)t.elementCount();
        final Field leaf = ArrowVectors.field(BaseRepeatedValueVector.DATA_VECTOR_NAME, t.dtype(),
            new long[] {count}, 1);
        return new Field(name, new FieldType(false, new ArrowType.FixedSizeList(count), null, metadata),
            List.of(leaf));
    }

    private static String shapeText(final long[] shape)
    {
        final StringBuilder sb = new StringBuilder();
        for (int d = 0; d < shape.length; d++)
        {
            sb.append(d == 0 ? "" : ",").append(shape[d]);
        }
        return sb.toString();
    }

    // --------------------------------------------------------------------------------------------------- read

    /** Reads a checkpoint by mapping it: no copy. */
    public static Checkpoint read(final Path file, final BufferAllocator allocator)
    {
        return read(file, allocator, Mode.MAPPED);
    }

    public static Checkpoint read(final Path file, final BufferAllocator allocator, final Mode mode)
    {
        if (file == null || mode == null)
        {
            throw new NullPointerException("read checkpoint: " + (file == null ? "file" : "mode") + " is null");
        }
        Tensors.checkAllocator(allocator, "read checkpoint " + file);
        removeStaleTemps(file);
        try
        {
            return readFile(file, allocator, mode);
        }
        catch (final RuntimeException ex)
        {
            if (ex instanceof UncheckedIOException ||
                (ex instanceof IllegalArgumentException && ex.getMessage() != null &&
                    ex.getMessage().contains(file.toString())))
            {
                throw ex; // this class's own findings (TensorShapeException, ...) name the file and what is wrong
            }
            // Arrow's reader does not check what it reads: a damaged file fails anywhere inside it
            throw new CheckpointFormatException("read checkpoint " + file + ": damaged or not a checkpoint (" + ex + ")",
                ex);
        }
    }

    private static Checkpoint readFile(final Path file, final BufferAllocator allocator, final Mode mode)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             ArrowFileReader reader = new ArrowFileReader(channel, allocator))
        {
            final Schema schema = reader.getVectorSchemaRoot().getSchema();
            final List<ArrowBlock> blocks = reader.getRecordBlocks();
            if (blocks.size() != 1)
            {
                throw new IllegalArgumentException("checkpoint " + file + ": expected one record batch, found " +
                    blocks.size() + " (not written by Checkpoint.write?)");
            }
            final ArrowBlock block = blocks.get(0);
            if (block.getOffset() < 0 || block.getMetadataLength() <= 0 || block.getBodyLength() < 0 ||
                block.getOffset() + block.getMetadataLength() + block.getBodyLength() > channel.size())
            {
                // Arrow's reader would allocate the block and then fail short of the end, leaking what it allocated
                throw new CheckpointFormatException("read checkpoint " + file + ": its record batch (offset " +
                    block.getOffset() + ", " + block.getMetadataLength() + " + " + block.getBodyLength() +
                    " bytes) does not lie within the file's " + channel.size() + " bytes: damaged", null);
            }
            final FileChannel writable = mode == Mode.COPIED ? null : openForMapping(file);
            if (writable == null)
            {
                return new Checkpoint(file, Mode.COPIED, loaded(file, channel, block, schema, allocator, false));
            }
            try (writable)
            {
                return new Checkpoint(file, mode, loaded(file, writable, block, schema, allocator, true));
            }
        }
        catch (final NoSuchFileException ex)
        {
            throw new UncheckedIOException("read checkpoint " + file + ": no such file", ex);
        }
        catch (final InvalidArrowFileException ex)
        {
            throw new IllegalArgumentException("read checkpoint " + file + ": not an Arrow IPC file (" +
                ex.getMessage() + ")", ex);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("read checkpoint " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * The JDK maps copy-on-write only through a read-write channel (the file is still never written); null where
     * this process may not open it so (a read-only file or file system): the caller copies instead.
     */
    private static FileChannel openForMapping(final Path file) throws IOException
    {
        try
        {
            return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        catch (final AccessDeniedException ex)
        {
            return null;
        }
        catch (final FileSystemException ex)
        {
            if (Files.isWritable(file))
            {
                throw ex;
            }
            return null;
        }
    }

    /**
     * Loads the batch's vectors over its body and wraps their data buffers: a private mapping of the file
     * ({@code map}), or the body read into allocator memory. Arrow's own reader is not used for the batch: where a
     * damaged header fails part-way (a node longer than 2^31 - 1, a buffer past the body), it leaves what it had
     * allocated and sliced unreleased; here the body is released whatever fails, so a damaged file leaves the
     * allocator as it was.
     */
    private static Map<String, Tensor> loaded(final Path file, final FileChannel channel, final ArrowBlock block,
        final Schema schema, final BufferAllocator allocator, final boolean map) throws IOException
    {
        channel.position(block.getOffset());
        final MessageMetadataResult message = MessageSerializer.readMessage(new ReadChannel(channel));
        if (message == null || message.getMessage().headerType() != MessageHeader.RecordBatch)
        {
            throw new IllegalArgumentException("checkpoint " + file + ": the record batch block does not hold a " +
                "record batch");
        }
        final RecordBatch batchHeader = (RecordBatch)message.getMessage().header(new RecordBatch());
        if (batchHeader.compression() != null)
        {
            throw new IllegalArgumentException("checkpoint " + file + " is compressed; write it uncompressed");
        }
        final long bodyAt = block.getOffset() + block.getMetadataLength();
        final ArrowBuf body = map ? mappedBody(channel, bodyAt, block.getBodyLength(), allocator) :
            readBody(file, channel, bodyAt, block.getBodyLength(), allocator);
        final ArrowRecordBatch deserialized;
        try
        {
            deserialized = MessageSerializer.deserializeRecordBatch(batchHeader, body); // takes the body
        }
        catch (final IOException | RuntimeException ex)
        {
            body.getReferenceManager().release(); // a damaged header failed before the body was taken
            throw ex;
        }
        try (ArrowRecordBatch batch = deserialized;
             VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator))
        {
            new VectorLoader(root).load(batch);
            return tensorsOf(file, root);
        }
    }

    /** The batch's body as a slice of a private mapping of the whole file, which the tensors then hold. */
    private static ArrowBuf mappedBody(final FileChannel channel, final long at, final long bytes,
        final BufferAllocator allocator) throws IOException
    {
        final ArrowBuf whole = MappedFile.wrap(channel, allocator);
        try
        {
            final ArrowBuf body = whole.slice(at, bytes);
            body.getReferenceManager().retain(); // its own reference: the mapping goes with the last of its users
            return body;
        }
        finally
        {
            whole.close();
        }
    }

    /** The batch's body read into allocator memory (one reference, the caller's). */
    private static ArrowBuf readBody(final Path file, final FileChannel channel, final long at, final long bytes,
        final BufferAllocator allocator) throws IOException
    {
        final ArrowBuf body = allocator.buffer(bytes);
        try
        {
            channel.position(at);
            if (new ReadChannel(channel).readFully(body, bytes) != bytes)
            {
                throw new CheckpointFormatException("read checkpoint " + file + ": the file ends inside its record " +
                    "batch: damaged", null);
            }
            return body;
        }
        catch (final IOException | RuntimeException ex)
        {
            body.close();
            throw ex;
        }
    }

    private static Map<String, Tensor> tensorsOf(final Path file, final VectorSchemaRoot root)
    {
        final Map<String, Tensor> out = new LinkedHashMap<>();
        try
        {
            for (final FieldVector vector : root.getFieldVectors())
            {
                final String name = vector.getName();
                out.put(name, tensorOf(file, vector));
            }
            return out;
        }
        catch (final RuntimeException ex)
        {
            out.values().forEach(Tensor::close);
            throw ex;
        }
    }

    private static Tensor tensorOf(final Path file, final FieldVector vector)
    {
        final String name = vector.getName();
        final String where = "checkpoint " + file + ", tensor '" + name + "'";
        if (!(vector instanceof FixedSizeListVector list) || list.getValueCount() != 1 ||
            !(list.getDataVector() instanceof BaseFixedWidthVector leaf))
        {
            throw new IllegalArgumentException(where + ": expected a one-row FixedSizeList of numbers, given " +
                vector.getField().getType() + " with " + vector.getValueCount() + " rows");
        }
        final Map<String, String> metadata = vector.getField().getMetadata();
        final DType dtype = ArrowVectors.dtype(leaf.getField());
        final String marked = metadata.get(ArrowVectors.DTYPE_KEY);
        if (marked != null && !marked.equals(dtype.name()))
        {
            throw new TensorDTypeException(where + ": metadata says dtype " + marked + ", the values are " + dtype);
        }
        final long[] shape = metadata.containsKey(SHAPE_KEY) ? parseShape(where, metadata.get(SHAPE_KEY)) :
            new long[] {list.getListSize()};
        if (Shapes.count(shape) != list.getListSize() || leaf.getValueCount() < list.getListSize() ||
            list.getNullCount() != 0 || leaf.getNullCount() != 0)
        {
            throw new TensorShapeException(where + ": shape " + Shapes.format(shape) + " needs " +
                Shapes.count(shape) + " values, given " + list.getListSize() + " (" + leaf.getValueCount() +
                " in the data, " + (list.getNullCount() + leaf.getNullCount()) + " null)");
        }
        return Tensors.wrap(leaf.getDataBuffer(), 0, dtype, shape).name(name);
    }

    private static long[] parseShape(final String where, final String text)
    {
        if (text.isEmpty())
        {
            return new long[0];
        }
        final String[] parts = text.split(",");
        final long[] shape = new long[parts.length];
        try
        {
            for (int d = 0; d < parts.length; d++)
            {
                shape[d] = Long.parseLong(parts[d].trim());
                if (shape[d] < 0)
                {
                    throw new NumberFormatException("negative extent " + shape[d]);
                }
            }
        }
        catch (final NumberFormatException ex)
        {
            throw new TensorShapeException(where + ": metadata " + SHAPE_KEY + "=\"" + text + "\" is not a " +
                "shape (" + ex.getMessage() + ")");
        }
        return shape;
    }
}
