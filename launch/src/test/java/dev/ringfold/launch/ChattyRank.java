package dev.ringfold.launch;

import java.io.PrintStream;

/**
 * Writes many lines to stdout and stderr, each in three pieces with a flush between, so that a launcher
 * which copied bytes rather than lines would mix the ranks' lines.
 */
public final class ChattyRank
{
    static final int LINES = 300;
    static final String FILL = "x".repeat(100);

    private ChattyRank()
    {
    }

    public static void main(final String[] args)
    {
        // under -dev native, mpirun starts the ranks and only Open MPI's variable says which one this is
        final int rank = System.getenv("RINGFOLD_RANK") != null ? TestRanks.rank() :
            Integer.parseInt(System.getenv("OMPI_COMM_WORLD_RANK"));
        for (int i = 0; i < LINES; i++)
        {
            final PrintStream stream = i % 2 == 0 ? System.out : System.err;
            stream.print("rank " + rank + " ");
            stream.flush();
            stream.print("line " + i + " ");
            stream.flush();
            Thread.yield();
            stream.print(FILL + "\n");
            stream.flush();
        }
        System.out.print("last line of " + rank + " without newline");
    }
}
