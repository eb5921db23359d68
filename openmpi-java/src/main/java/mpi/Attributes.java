package mpi;

import java.util.HashMap;
import java.util.Map;

/** Cached attributes (MPI_*_set_attr): keys made by createKeyval, values any object, per communicator or type. */
final class Attributes
{
    private static int nextKeyval = 100;
    private static final java.util.Set<Integer> KEYVALS = new java.util.HashSet<>();

    private Attributes()
    {
    }

    static synchronized int createKeyval()
    {
        final int k = nextKeyval++;
        KEYVALS.add(k);
        return k;
    }

    static synchronized void freeKeyval(final int keyval) throws MPIException
    {
        if (!KEYVALS.remove(keyval))
        {
            throw Errors.raise(MPI.COMM_WORLD, MPI.ERR_KEYVAL, "MPI_Keyval_free", "keyval " + keyval +
                " was not made by createKeyval or is already freed");
        }
    }

    static Map<Integer, Object> set(final Map<Integer, Object> map, final int keyval, final Object value)
        throws MPIException
    {
        check(keyval, "MPI_Attr_put");
        final Map<Integer, Object> m = map == null ? new HashMap<>() : map;
        m.put(keyval, value);
        return m;
    }

    static Object get(final Map<Integer, Object> map, final int keyval) throws MPIException
    {
        check(keyval, "MPI_Attr_get");
        return map == null ? null : map.get(keyval);
    }

    static void delete(final Map<Integer, Object> map, final int keyval) throws MPIException
    {
        check(keyval, "MPI_Attr_delete");
        if (map != null)
        {
            map.remove(keyval);
        }
    }

    private static synchronized void check(final int keyval, final String call) throws MPIException
    {
        if (!KEYVALS.contains(keyval))
        {
            throw Errors.raise(MPI.COMM_WORLD, MPI.ERR_KEYVAL, call, "keyval " + keyval + " is not a live keyval");
        }
    }
}
