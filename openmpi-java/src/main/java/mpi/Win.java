package mpi;

import java.nio.Buffer;

/** One-sided communication (MPI_Win). Not provided yet: Ringfold has no remote memory access; every call, the constructors first, raises MPI_ERR_UNSUPPORTED_OPERATION naming what is missing (docs/openmpi-java.md). */
public final class Win implements Freeable
{
    public static final int WIN_NULL = 0;
    public static final int FLAVOR_PRIVATE = 0;
    public static final int FLAVOR_SHARED = 1;

    private static MPIException missing(final String call) throws MPIException
    {
        MPI.check();
        return Errors.raise(MPI.COMM_WORLD, MPI.ERR_UNSUPPORTED_OPERATION, call, "one-sided communication (MPI_Win_*): Ringfold's transports have no remote memory access yet; use point-to-point or collectives");
    }

    public Win(final Buffer arg0, final int arg1, final int arg2, final Info arg3, final Comm arg4) throws MPIException
    {
        throw missing("MPI_Win_create");
    }

    public Win(final int arg0, final int arg1, final Info arg2, final Comm arg3, final Buffer arg4, final int arg5) throws MPIException
    {
        throw missing("MPI_Win_create");
    }

    public Win(final Info arg0, final Comm arg1) throws MPIException
    {
        throw missing("MPI_Win_create");
    }

    public void attach(final Buffer arg0, final int arg1) throws MPIException
    {
        throw missing("MPI_Win_attach");
    }

    public void detach(final Buffer arg0) throws MPIException
    {
        throw missing("MPI_Win_detach");
    }

    public Group getGroup() throws MPIException
    {
        throw missing("MPI_Win_get_group");
    }

    public void put(final Buffer arg0, final int arg1, final Datatype arg2, final int arg3, final int arg4, final int arg5, final Datatype arg6) throws MPIException
    {
        throw missing("MPI_Win_put");
    }

    public void get(final Buffer arg0, final int arg1, final Datatype arg2, final int arg3, final int arg4, final int arg5, final Datatype arg6) throws MPIException
    {
        throw missing("MPI_Win_get");
    }

    public void accumulate(final Buffer arg0, final int arg1, final Datatype arg2, final int arg3, final int arg4, final int arg5, final Datatype arg6, final Op arg7) throws MPIException
    {
        throw missing("MPI_Win_accumulate");
    }

    public void fence(final int arg0) throws MPIException
    {
        throw missing("MPI_Win_fence");
    }

    public void start(final Group arg0, final int arg1) throws MPIException
    {
        throw missing("MPI_Win_start");
    }

    public void complete() throws MPIException
    {
        throw missing("MPI_Win_complete");
    }

    public void post(final Group arg0, final int arg1) throws MPIException
    {
        throw missing("MPI_Win_post");
    }

    public void waitFor() throws MPIException
    {
        throw missing("MPI_Win_wait_for");
    }

    public boolean test() throws MPIException
    {
        throw missing("MPI_Win_test");
    }

    public void lock(final int arg0, final int arg1, final int arg2) throws MPIException
    {
        throw missing("MPI_Win_lock");
    }

    public void unlock(final int arg0) throws MPIException
    {
        throw missing("MPI_Win_unlock");
    }

    public void setErrhandler(final Errhandler arg0) throws MPIException
    {
        throw missing("MPI_Win_set_errhandler");
    }

    public Errhandler getErrhandler() throws MPIException
    {
        throw missing("MPI_Win_get_errhandler");
    }

    public void callErrhandler(final int arg0) throws MPIException
    {
        throw missing("MPI_Win_call_errhandler");
    }

    public static int createKeyval() throws MPIException
    {
        throw missing("MPI_Win_create_keyval");
    }

    public static void freeKeyval(final int arg0) throws MPIException
    {
        throw missing("MPI_Win_free_keyval");
    }

    public void setAttr(final int arg0, final Object arg1) throws MPIException
    {
        throw missing("MPI_Win_set_attr");
    }

    public Object getAttr(final int arg0) throws MPIException
    {
        throw missing("MPI_Win_get_attr");
    }

    public void deleteAttr(final int arg0) throws MPIException
    {
        throw missing("MPI_Win_delete_attr");
    }

    public void free() throws MPIException
    {
        throw missing("MPI_Win_free");
    }

    public Info getInfo() throws MPIException
    {
        throw missing("MPI_Win_get_info");
    }

    public void setInfo(final Info arg0) throws MPIException
    {
        throw missing("MPI_Win_set_info");
    }

    public final Request rPut(final Buffer arg0, final int arg1, final Datatype arg2, final int arg3, final int arg4, final int arg5, final Datatype arg6) throws MPIException
    {
        throw missing("MPI_Win_r_put");
    }

    public final Request rGet(final Buffer arg0, final int arg1, final Datatype arg2, final int arg3, final int arg4, final int arg5, final Datatype arg6) throws MPIException
    {
        throw missing("MPI_Win_r_get");
    }

    public Request rAccumulate(final Buffer arg0, final int arg1, final Datatype arg2, final int arg3, final int arg4, final int arg5, final Datatype arg6, final Op arg7) throws MPIException
    {
        throw missing("MPI_Win_r_accumulate");
    }

    public void getAccumulate(final Buffer arg0, final int arg1, final Datatype arg2, final Buffer arg3, final int arg4, final Datatype arg5, final int arg6, final int arg7, final int arg8, final Datatype arg9, final Op arg10) throws MPIException
    {
        throw missing("MPI_Win_get_accumulate");
    }

    public Request rGetAccumulate(final Buffer arg0, final int arg1, final Datatype arg2, final Buffer arg3, final int arg4, final Datatype arg5, final int arg6, final int arg7, final int arg8, final Datatype arg9, final Op arg10) throws MPIException
    {
        throw missing("MPI_Win_r_get_accumulate");
    }

    public void lockAll(final int arg0) throws MPIException
    {
        throw missing("MPI_Win_lock_all");
    }

    public void unlockAll() throws MPIException
    {
        throw missing("MPI_Win_unlock_all");
    }

    public void sync() throws MPIException
    {
        throw missing("MPI_Win_sync");
    }

    public void flush(final int arg0) throws MPIException
    {
        throw missing("MPI_Win_flush");
    }

    public void flushAll() throws MPIException
    {
        throw missing("MPI_Win_flush_all");
    }

    public void compareAndSwap(final Buffer arg0, final Buffer arg1, final Buffer arg2, final Datatype arg3, final int arg4, final int arg5) throws MPIException
    {
        throw missing("MPI_Win_compare_and_swap");
    }

    public void fetchAndOp(final Buffer arg0, final Buffer arg1, final Datatype arg2, final int arg3, final int arg4, final Op arg5) throws MPIException
    {
        throw missing("MPI_Win_fetch_and_op");
    }

    public void flushLocal(final int arg0) throws MPIException
    {
        throw missing("MPI_Win_flush_local");
    }

    public void flushLocalAll() throws MPIException
    {
        throw missing("MPI_Win_flush_local_all");
    }

    public String getName() throws MPIException
    {
        throw missing("MPI_Win_get_name");
    }

    public void setName(final String arg0) throws MPIException
    {
        throw missing("MPI_Win_set_name");
    }
}
