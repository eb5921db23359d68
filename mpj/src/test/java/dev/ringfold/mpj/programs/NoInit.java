package dev.ringfold.mpj.programs;

import mpi.MPI;

/** A program that forgets MPI.Init: what its first calls on MPI.COMM_WORLD and MPI.COMM_SELF throw. */
public class NoInit
{
    public static void main(final String[] args)
    {
        try
        {
            System.out.println("NOINIT rank " + MPI.COMM_WORLD.Rank());
        }
        catch (final RuntimeException ex)
        {
            System.out.println("NOINIT Rank: " + ex.getClass().getName() + ": " + ex.getMessage());
        }
        try
        {
            MPI.COMM_WORLD.Send(new int[1], 0, 1, MPI.INT, 0, 0);
            System.out.println("NOINIT sent");
        }
        catch (final RuntimeException ex)
        {
            System.out.println("NOINIT Send: " + ex.getClass().getName() + ": " + ex.getMessage());
        }
        try
        {
            MPI.COMM_WORLD.Barrier();
            System.out.println("NOINIT barrier");
        }
        catch (final RuntimeException ex)
        {
            System.out.println("NOINIT Barrier: " + ex.getClass().getName() + ": " + ex.getMessage());
        }
        try
        {
            System.out.println("NOINIT self size " + MPI.COMM_SELF.Size());
        }
        catch (final RuntimeException ex)
        {
            System.out.println("NOINIT Size: " + ex.getClass().getName() + ": " + ex.getMessage());
        }
        System.out.println("NOINIT initialized " + MPI.Initialized());
    }
}
