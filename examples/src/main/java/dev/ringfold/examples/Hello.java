package dev.ringfold.examples;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;

/** The hello world of docs/cluster.md's start-up timing: init, rank and size, one barrier, finalize. */
public final class Hello
{
    private Hello()
    {
    }

    public static void main(final String[] args)
    {
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator world = rf.world();
            System.out.println("hello from rank " + world.rank() + " of " + world.size());
            world.barrier();
        }
    }
}
