package mpi;

import java.nio.Buffer;

/** MPI-IO (MPI_File). Not provided yet: every call, the constructors first, raises MPI_ERR_UNSUPPORTED_OPERATION naming what is missing (docs/openmpi-java.md). */
public final class File
{
    private static MPIException missing(final String call) throws MPIException
    {
        MPI.check();
        return Errors.raise(MPI.COMM_WORLD, MPI.ERR_UNSUPPORTED_OPERATION, call, "MPI-IO (MPI_File_*) is not provided by Ringfold yet; read and write files with java.nio and exchange the data with collectives");
    }

    public File(final Comm arg0, final String arg1, final int arg2) throws MPIException
    {
        throw missing("MPI_File_open");
    }

    public File(final Comm arg0, final String arg1, final int arg2, final Info arg3) throws MPIException
    {
        throw missing("MPI_File_open");
    }

    public void close() throws MPIException
    {
        throw missing("MPI_File_close");
    }

    public static void delete(final String arg0) throws MPIException
    {
        throw missing("MPI_File_delete");
    }

    public static void delete(final String arg0, final Info arg1) throws MPIException
    {
        throw missing("MPI_File_delete");
    }

    public void setSize(final long arg0) throws MPIException
    {
        throw missing("MPI_File_set_size");
    }

    public void preallocate(final long arg0) throws MPIException
    {
        throw missing("MPI_File_preallocate");
    }

    public long getSize() throws MPIException
    {
        throw missing("MPI_File_get_size");
    }

    public Group getGroup() throws MPIException
    {
        throw missing("MPI_File_get_group");
    }

    public int getAMode() throws MPIException
    {
        throw missing("MPI_File_get_a_mode");
    }

    public void setInfo(final Info arg0) throws MPIException
    {
        throw missing("MPI_File_set_info");
    }

    public Info getInfo() throws MPIException
    {
        throw missing("MPI_File_get_info");
    }

    public void setView(final long arg0, final Datatype arg1, final Datatype arg2, final String arg3) throws MPIException
    {
        throw missing("MPI_File_set_view");
    }

    public void setView(final long arg0, final Datatype arg1, final Datatype arg2, final String arg3, final Info arg4) throws MPIException
    {
        throw missing("MPI_File_set_view");
    }

    /** Unreachable (no File can be opened); unchecked, as the signature has no throws clause. */
    public FileView getView()
    {
        throw new UnsupportedOperationException("MPI_File_get_view: MPI-IO is not provided by Ringfold yet");
    }

    public Status readAt(final long arg0, final Object arg1, final int arg2, final Datatype arg3) throws MPIException
    {
        throw missing("MPI_File_read_at");
    }

    public Status readAtAll(final long arg0, final Object arg1, final int arg2, final Datatype arg3) throws MPIException
    {
        throw missing("MPI_File_read_at_all");
    }

    public Status writeAt(final long arg0, final Object arg1, final int arg2, final Datatype arg3) throws MPIException
    {
        throw missing("MPI_File_write_at");
    }

    public Status writeAtAll(final long arg0, final Object arg1, final int arg2, final Datatype arg3) throws MPIException
    {
        throw missing("MPI_File_write_at_all");
    }

    public Request iReadAt(final long arg0, final Buffer arg1, final int arg2, final Datatype arg3) throws MPIException
    {
        throw missing("MPI_File_i_read_at");
    }

    public Request iReadAtAll(final long arg0, final Buffer arg1, final int arg2, final Datatype arg3) throws MPIException
    {
        throw missing("MPI_File_i_read_at_all");
    }

    public Request iWriteAt(final long arg0, final Buffer arg1, final int arg2, final Datatype arg3) throws MPIException
    {
        throw missing("MPI_File_i_write_at");
    }

    public Request iWriteAtAll(final long arg0, final Buffer arg1, final int arg2, final Datatype arg3) throws MPIException
    {
        throw missing("MPI_File_i_write_at_all");
    }

    public Status read(final Object arg0, final int arg1, final Datatype arg2) throws MPIException
    {
        throw missing("MPI_File_read");
    }

    public Status readAll(final Object arg0, final int arg1, final Datatype arg2) throws MPIException
    {
        throw missing("MPI_File_read_all");
    }

    public Status write(final Object arg0, final int arg1, final Datatype arg2) throws MPIException
    {
        throw missing("MPI_File_write");
    }

    public Status writeAll(final Object arg0, final int arg1, final Datatype arg2) throws MPIException
    {
        throw missing("MPI_File_write_all");
    }

    public Request iRead(final Buffer arg0, final int arg1, final Datatype arg2) throws MPIException
    {
        throw missing("MPI_File_i_read");
    }

    public Request iReadAll(final Buffer arg0, final int arg1, final Datatype arg2) throws MPIException
    {
        throw missing("MPI_File_i_read_all");
    }

    public Request iWrite(final Buffer arg0, final int arg1, final Datatype arg2) throws MPIException
    {
        throw missing("MPI_File_i_write");
    }

    public Request iWriteAll(final Buffer arg0, final int arg1, final Datatype arg2) throws MPIException
    {
        throw missing("MPI_File_i_write_all");
    }

    public void seek(final long arg0, final int arg1) throws MPIException
    {
        throw missing("MPI_File_seek");
    }

    public long getPosition() throws MPIException
    {
        throw missing("MPI_File_get_position");
    }

    public long getByteOffset(final long arg0) throws MPIException
    {
        throw missing("MPI_File_get_byte_offset");
    }

    public Status readShared(final Object arg0, final int arg1, final Datatype arg2) throws MPIException
    {
        throw missing("MPI_File_read_shared");
    }

    public Status writeShared(final Object arg0, final int arg1, final Datatype arg2) throws MPIException
    {
        throw missing("MPI_File_write_shared");
    }

    public Request iReadShared(final Buffer arg0, final int arg1, final Datatype arg2) throws MPIException
    {
        throw missing("MPI_File_i_read_shared");
    }

    public Request iWriteShared(final Buffer arg0, final int arg1, final Datatype arg2) throws MPIException
    {
        throw missing("MPI_File_i_write_shared");
    }

    public Status readOrdered(final Object arg0, final int arg1, final Datatype arg2) throws MPIException
    {
        throw missing("MPI_File_read_ordered");
    }

    public Status writeOrdered(final Object arg0, final int arg1, final Datatype arg2) throws MPIException
    {
        throw missing("MPI_File_write_ordered");
    }

    public void seekShared(final long arg0, final int arg1) throws MPIException
    {
        throw missing("MPI_File_seek_shared");
    }

    public long getPositionShared() throws MPIException
    {
        throw missing("MPI_File_get_position_shared");
    }

    public void readAtAllBegin(final long arg0, final Object arg1, final int arg2, final Datatype arg3) throws MPIException
    {
        throw missing("MPI_File_read_at_all_begin");
    }

    public Status readAtAllEnd(final Object arg0) throws MPIException
    {
        throw missing("MPI_File_read_at_all_end");
    }

    public void writeAtAllBegin(final long arg0, final Object arg1, final int arg2, final Datatype arg3) throws MPIException
    {
        throw missing("MPI_File_write_at_all_begin");
    }

    public Status writeAtAllEnd(final Object arg0) throws MPIException
    {
        throw missing("MPI_File_write_at_all_end");
    }

    public void readAllBegin(final Object arg0, final int arg1, final Datatype arg2) throws MPIException
    {
        throw missing("MPI_File_read_all_begin");
    }

    public Status readAllEnd(final Object arg0) throws MPIException
    {
        throw missing("MPI_File_read_all_end");
    }

    public void writeAllBegin(final Object arg0, final int arg1, final Datatype arg2) throws MPIException
    {
        throw missing("MPI_File_write_all_begin");
    }

    public Status writeAllEnd(final Object arg0) throws MPIException
    {
        throw missing("MPI_File_write_all_end");
    }

    public void readOrderedBegin(final Object arg0, final int arg1, final Datatype arg2) throws MPIException
    {
        throw missing("MPI_File_read_ordered_begin");
    }

    public Status readOrderedEnd(final Object arg0) throws MPIException
    {
        throw missing("MPI_File_read_ordered_end");
    }

    public void writeOrderedBegin(final Object arg0, final int arg1, final Datatype arg2) throws MPIException
    {
        throw missing("MPI_File_write_ordered_begin");
    }

    public Status writeOrderedEnd(final Object arg0) throws MPIException
    {
        throw missing("MPI_File_write_ordered_end");
    }

    public int getTypeExtent(final Datatype arg0) throws MPIException
    {
        throw missing("MPI_File_get_type_extent");
    }

    public void setAtomicity(final boolean arg0) throws MPIException
    {
        throw missing("MPI_File_set_atomicity");
    }

    public boolean getAtomicity() throws MPIException
    {
        throw missing("MPI_File_get_atomicity");
    }

    public void sync() throws MPIException
    {
        throw missing("MPI_File_sync");
    }

    public void setErrhandler(final Errhandler arg0) throws MPIException
    {
        throw missing("MPI_File_set_errhandler");
    }

    public Errhandler getErrhandler() throws MPIException
    {
        throw missing("MPI_File_get_errhandler");
    }

    public void callErrhandler(final int arg0) throws MPIException
    {
        throw missing("MPI_File_call_errhandler");
    }
}
