package dev.ringfold.launch;

import dev.ringfold.mpi.JvmFlags;

/** Says whether its JVM has the Vector API module: it refers to nothing but the runtime, so by default it has not. */
public final class VectorApiRank
{
    private VectorApiRank()
    {
    }

    public static void main(final String[] args)
    {
        System.out.println("vector api " + JvmFlags.hasVectorApi());
    }
}
