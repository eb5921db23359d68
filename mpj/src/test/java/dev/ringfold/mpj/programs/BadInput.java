package dev.ringfold.mpj.programs;

import mpi.Datatype;
import mpi.MPI;
import mpi.MPIException;

import java.nio.ByteBuffer;

import static dev.ringfold.mpj.programs.Print.out;

/** Bad arguments give an MPIException that names the problem, and the communicator stays usable (np = 2). */
public class BadInput
{
    interface Call
    {
        void run();
    }

    static void expect(final String name, final Call call)
    {
        try
        {
            call.run();
            out("NO ERROR " + name);
        }
        catch (final MPIException ex)
        {
            out("error " + name + ": " + ex.getMessage());
        }
    }

    public static void main(final String[] args) throws Exception
    {
        MPI.Init(args);
        final int rank = MPI.COMM_WORLD.Rank();
        final int other = 1 - rank;
        expect("wrong array", () -> MPI.COMM_WORLD.Send(new double[2], 0, 2, MPI.INT, other, 1));
        expect("past the end", () -> MPI.COMM_WORLD.Send(new int[2], 1, 2, MPI.INT, other, 1));
        expect("bad dest", () -> MPI.COMM_WORLD.Send(new int[1], 0, 1, MPI.INT, 7, 1));
        expect("negative tag", () -> MPI.COMM_WORLD.Send(new int[1], 0, 1, MPI.INT, other, -5));
        expect("bad root", () -> MPI.COMM_WORLD.Bcast(new int[1], 0, 1, MPI.INT, 2));
        expect("mixed struct", () -> Datatype.Struct(new int[] {1, 1}, new int[] {0, 1},
            new Datatype[] {MPI.INT, MPI.DOUBLE}));
        expect("bsend without buffer", () -> MPI.COMM_WORLD.Bsend(new int[1], 0, 1, MPI.INT, other, 1));
        MPI.Buffer_attach(ByteBuffer.allocate(16));
        expect("bsend too big", () -> MPI.COMM_WORLD.Bsend(new int[100], 0, 100, MPI.INT, other, 1));
        MPI.Buffer_detach();
        expect("truncated", () ->
        {
            final int[] small = new int[1];
            MPI.COMM_WORLD.Sendrecv(new int[] {1, 2, 3}, 0, 3, MPI.INT, other, 2, small, 0, 1, MPI.INT, other, 2);
        });
        final int[] got = new int[1];
        MPI.COMM_WORLD.Sendrecv(new int[] {40 + rank}, 0, 1, MPI.INT, other, 3, got, 0, 1, MPI.INT, other, 3);
        final int[] sum = new int[1];
        MPI.COMM_WORLD.Allreduce(got, 0, sum, 0, 1, MPI.INT, MPI.SUM);
        out("still usable " + got[0] + " " + sum[0]);
        MPI.Finalize();
    }
}
