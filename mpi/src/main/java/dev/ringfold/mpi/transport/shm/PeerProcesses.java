package dev.ringfold.mpi.transport.shm;

/**
 * Whether the processes of a node's peers still exist. Each peer's {@link ProcessHandle} is taken once, when the
 * peers are mapped, so a check allocates nothing; it compares the process's start time, so a pid that a new
 * process has reused reads as gone. It needs no native linker: linking {@code kill(2)} through the FFM API cost
 * every rank about 50 ms of start-up.
 */
final class PeerProcesses
{
    private final ProcessHandle[] byWorldRank;

    PeerProcesses(final int worldSize)
    {
        this.byWorldRank = new ProcessHandle[worldSize];
    }

    /** Takes the peer's handle; a process that no longer exists reads as gone from then on. */
    void track(final int worldRank, final long pid)
    {
        byWorldRank[worldRank] = ProcessHandle.of(pid).orElse(null);
    }

    boolean isAlive(final int worldRank)
    {
        final ProcessHandle process = byWorldRank[worldRank];
        return process != null && process.isAlive();
    }
}
