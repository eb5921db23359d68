package dev.ringfold.launch;

import java.nio.file.Files;
import java.nio.file.Path;

/** Leaves a file in /dev/shm named like a ring file of its job, as a rank dying during bootstrap would. */
public final class ShmLeavingRank
{
    private ShmLeavingRank()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path file = Path.of("/dev/shm", "ringfold-" + System.getenv("RINGFOLD_JOB_ID") + "-r" + TestRanks.rank());
        Files.writeString(file, "left over");
        System.out.println("left " + file);
    }
}
