package mpi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Key-value hints (MPI_Info), kept in insertion order; Ringfold reads none of them. */
public final class Info implements Freeable, Cloneable
{
    private final Map<String, String> entries = new LinkedHashMap<>();
    private boolean isNull;

    public Info() throws MPIException
    {
    }

    private Info(final boolean isNull)
    {
        this.isNull = isNull;
    }

    static Info nullInfo()
    {
        return new Info(true);
    }

    /** MPI_INFO_ENV: how this process was started, as far as the JVM knows it. */
    static Info environment()
    {
        final Info info = new Info(false);
        info.entries.put("command", "java");
        info.entries.put("wdir", System.getProperty("user.dir"));
        return info;
    }

    public void set(final String key, final String value) throws MPIException
    {
        MPI.check();
        checkKey("MPI_Info_set", key);
        if (value == null || value.length() > MPI.MAX_INFO_VAL)
        {
            throw Errors.raise(MPI.COMM_WORLD, MPI.ERR_INFO_VALUE, "MPI_Info_set", "the value of " + key +
                " must be a string of at most " + MPI.MAX_INFO_VAL + " characters");
        }
        entries.put(key, value);
    }

    /** The value, or null if the key is not set. */
    public String get(final String key) throws MPIException
    {
        MPI.check();
        checkKey("MPI_Info_get", key);
        return entries.get(key);
    }

    public void delete(final String key) throws MPIException
    {
        MPI.check();
        checkKey("MPI_Info_delete", key);
        if (entries.remove(key) == null)
        {
            throw Errors.raise(MPI.COMM_WORLD, MPI.ERR_INFO_NOKEY, "MPI_Info_delete", "the key " + key +
                " is not set");
        }
    }

    public int size() throws MPIException
    {
        MPI.check();
        return entries.size();
    }

    public String getKey(final int i) throws MPIException
    {
        MPI.check();
        final List<String> keys = new ArrayList<>(entries.keySet());
        if (i < 0 || i >= keys.size())
        {
            throw Errors.raise(MPI.COMM_WORLD, MPI.ERR_ARG, "MPI_Info_get_nthkey", "key number " + i +
                " is not in [0, " + keys.size() + ")");
        }
        return keys.get(i);
    }

    @Override
    public Info clone()
    {
        final Info copy = new Info(isNull);
        copy.entries.putAll(entries);
        return copy;
    }

    public Info dup() throws MPIException
    {
        MPI.check();
        return clone();
    }

    public void free() throws MPIException
    {
        MPI.check();
        entries.clear();
        isNull = true;
    }

    public boolean isNull()
    {
        return isNull;
    }

    private static void checkKey(final String call, final String key) throws MPIException
    {
        if (key == null || key.isEmpty() || key.length() > MPI.MAX_INFO_KEY)
        {
            throw Errors.raise(MPI.COMM_WORLD, MPI.ERR_INFO_KEY, call, "a key must be 1 to " + MPI.MAX_INFO_KEY +
                " characters, got " + (key == null ? "null" : "'" + key + "'"));
        }
    }
}
