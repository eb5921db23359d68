package dev.ringfold.mpi;

/** A program started by plain {@code java}, as an IDE's run button would: it only asks for the runtime. */
public final class PlainJavaRank
{
    private PlainJavaRank()
    {
    }

    public static void main(final String[] args)
    {
        try (Ringfold rf = Ringfold.init())
        {
            System.out.println("rank " + rf.world().rank() + " of " + rf.world().size());
        }
    }
}
