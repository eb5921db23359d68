package dev.ringfold.mpi.bootstrap;

/**
 * What a rank knows about its job before it has talked to anyone.
 *
 * @param rank             this process's rank in the world.
 * @param size             the number of ranks in the world.
 * @param jobId            names the job's shared-memory files and guards the rendezvous against strays.
 * @param rendezvousHost   where the rendezvous is served.
 * @param rendezvousPort   its port.
 * @param hostsRendezvous  whether this process must serve it (rank 0, when no launcher does).
 * @param device           "auto" (shared memory inside a node, TCP across), "shm", "tcp" or "native" (the site's
 *                         MPI library carries the frames; ranks started by its launcher).
 * @param launcher         who started the job: "ringfold", "slurm", "openmpi", "torchrun" or "singleton".
 */
public record JobInfo(int rank, int size, String jobId, String rendezvousHost, int rendezvousPort,
    boolean hostsRendezvous, String device, String launcher)
{
    public JobInfo
    {
        if (size < 1)
        {
            throw new IllegalArgumentException(launcher + " environment: world size " + size + " must be >= 1");
        }
        if (rank < 0 || rank >= size)
        {
            throw new IllegalArgumentException(launcher + " environment: rank " + rank + " is outside [0, " + size + ")");
        }
        if (!device.equals("auto") && !device.equals("shm") && !device.equals("tcp") && !device.equals("native"))
        {
            throw new IllegalArgumentException(launcher + " environment: device '" + device +
                "' is not one of auto, shm, tcp, native");
        }
        if (jobId.isEmpty() || !jobId.matches("[A-Za-z0-9_.-]+"))
        {
            throw new IllegalArgumentException(launcher + " environment: job id '" + jobId +
                "' must be non-empty letters, digits, '_', '.', '-'");
        }
    }
}
