package dev.ringfold.openmpi.programs;

import mpi.Datatype;
import mpi.MPI;
import mpi.MPIException;
import mpi.Op;

import java.nio.IntBuffer;

/**
 * Bad arguments under MPI.ERRORS_RETURN: each call must fail with the error class Open MPI gives and leave the
 * communicator usable. Prints the class and the part of the message that is Open MPI's error text.
 */
public final class BadInput
{
    interface Call
    {
        void run() throws MPIException;
    }

    public static void main(final String[] args) throws MPIException
    {
        MPI.Init(args);
        final int me = MPI.COMM_WORLD.getRank();
        final int n = MPI.COMM_WORLD.getSize();
        final Out out = new Out(me);
        MPI.COMM_WORLD.setErrhandler(MPI.ERRORS_RETURN);
        final int[] buf = new int[4];
        final Datatype uncommitted = Datatype.createContiguous(2, MPI.INT);
        final Datatype freed = Datatype.createContiguous(2, MPI.INT);
        freed.commit();
        freed.free();

        check(out, "send to rank n", () -> MPI.COMM_WORLD.send(buf, 1, MPI.INT, n, 0));
        check(out, "send to rank -5", () -> MPI.COMM_WORLD.send(buf, 1, MPI.INT, -5, 0));
        check(out, "recv from rank n", () -> MPI.COMM_WORLD.recv(buf, 1, MPI.INT, n, 0));
        check(out, "send with tag -3", () -> MPI.COMM_WORLD.send(buf, 1, MPI.INT, 0, -3));
        check(out, "recv with tag -3", () -> MPI.COMM_WORLD.recv(buf, 1, MPI.INT, 0, -3));
        check(out, "send count -1", () -> MPI.COMM_WORLD.send(buf, -1, MPI.INT, 0, 0));
        check(out, "send uncommitted type", () -> MPI.COMM_WORLD.send(buf, 1, uncommitted, 0, 0));
        if (args.length > 0 && args[0].equals("beyond-open-mpi"))
        {
            // Open MPI 4.1.4's Java bindings crash the JVM here (SIGSEGV in ompi_java_getReadPtr), so the
            // differential run leaves these out and a Ringfold-only run checks them
            check(out, "send freed type", () -> MPI.COMM_WORLD.send(buf, 1, freed, 0, 0));
        }
        check(out, "bcast root n", () -> MPI.COMM_WORLD.bcast(buf, 1, MPI.INT, n));
        check(out, "reduce root -1", () -> MPI.COMM_WORLD.reduce(buf, new int[4], 1, MPI.INT, MPI.SUM, -1));
        check(out, "allReduce MAXLOC on INT", () -> MPI.COMM_WORLD.allReduce(buf, new int[4], 1, MPI.INT,
            MPI.MAXLOC));
        check(out, "allReduce BAND on DOUBLE", () -> MPI.COMM_WORLD.allReduce(new double[1], new double[1], 1,
            MPI.DOUBLE, MPI.BAND));
        check(out, "iSend of a heap buffer", () -> MPI.COMM_WORLD.iSend(IntBuffer.wrap(buf), 1, MPI.INT, 0, 0));
        check(out, "iRecv of a heap buffer", () -> MPI.COMM_WORLD.iRecv(IntBuffer.wrap(buf), 1, MPI.INT, 0, 0));
        check(out, "allReduce of a heap buffer", () -> MPI.COMM_WORLD.iAllReduce(IntBuffer.wrap(buf), 1, MPI.INT,
            MPI.SUM));
        check(out, "send past the array", () -> MPI.COMM_WORLD.send(buf, 5, MPI.INT, (me + 1) % n, 0));
        check(out, "truncated receive", () ->
        {
            MPI.COMM_WORLD.sendRecv(new int[4], 4, MPI.INT, (me + 1) % n, 7, buf, 2, MPI.INT, (me + n - 1) % n, 7);
        });
        check(out, "split with color -2", () -> MPI.COMM_WORLD.split(-2, 0));
        // still usable after all that
        final int[] sum = {1};
        MPI.COMM_WORLD.allReduce(sum, 1, MPI.INT, MPI.SUM);
        out.line("allReduce after errors", sum[0]);
        MPI.Finalize();
    }

    private static void check(final Out out, final String what, final Call call)
    {
        try
        {
            call.run();
            out.line(what, "no error");
        }
        catch (final MPIException ex)
        {
            final String m = ex.getMessage();
            final int cut = m.indexOf(" (");
            out.line(what, "MPIException class " + ex.getErrorClass() + ": " + (cut < 0 ? m : m.substring(0, cut)));
        }
        catch (final RuntimeException ex)
        {
            out.line(what, ex.getClass().getSimpleName() + (ex instanceof IllegalArgumentException ? ": " +
                ex.getMessage() : ""));
        }
    }
}
