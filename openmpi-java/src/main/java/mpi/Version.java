package mpi;

/** The MPI standard's version that the API follows (MPI 3.1, as Open MPI 4.1). */
public final class Version
{
    private final int version;
    private final int subVersion;

    Version(final int version, final int subVersion)
    {
        this.version = version;
        this.subVersion = subVersion;
    }

    public int getVersion()
    {
        return version;
    }

    public int getSubVersion()
    {
        return subVersion;
    }
}
