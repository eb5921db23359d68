package dev.ringfold.launch;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Job ids such as {@code j4711-3fa9c2}: the launcher's pid keeps concurrent jobs of one node apart, the random
 * part keeps a job apart from an earlier one whose pid was reused (and whose /dev/shm files may have survived).
 * Not a secret: anyone on the node can list /dev/shm.
 */
final class JobIds
{
    private JobIds()
    {
    }

    static String next()
    {
        return String.format("j%d-%06x", ProcessHandle.current().pid(), ThreadLocalRandom.current().nextInt(1 << 24));
    }
}
