package dev.ringfold.mpj.programs;

import mpi.MPI;

/** The programs' output: every line "R<rank> ...", so that a test can order both implementations' lines by rank. */
final class Print
{
    private Print()
    {
    }

    static void out(final String line)
    {
        // MPJ Express runs ranks as threads, each with its own class loader: ask the rank each time
        System.out.println("R" + MPI.COMM_WORLD.Rank() + " " + line);
    }
}
