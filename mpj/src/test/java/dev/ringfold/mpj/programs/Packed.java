package dev.ringfold.mpj.programs;

import mpi.*;
import mpjbuf.*;
import mpjdev.*;

import java.util.Arrays;
import java.util.List;

import static dev.ringfold.mpj.programs.Print.out;

/**
 * What MPJ Express's own examples import (mpjbuf, mpjdev) and explicit packing: Comm.Pack into an mpjbuf.Buffer,
 * sent and received as MPI.PACKED, Comm.Unpack; a Buffer written and read section by
 * section; an MPIException caught as mpjdev's MPJDevException (np = 4). With both mpi.* and mpjdev.* imported,
 * MPJ Express has a Request and a Status in each, so those are named mpi.Request, as its examples do.
 */
public class Packed
{
    public static void main(final String[] args) throws Exception
    {
        MPI.Init(args);
        final int rank = MPI.COMM_WORLD.Rank();
        final int size = MPI.COMM_WORLD.Size();
        final int right = (rank + 1) % size;
        final int left = (rank + size - 1) % size;
        final int room = 4096;

        // pack an int[], a double[] slice, objects and every other element of a long[] (a Vector), send as PACKED
        final mpjbuf.Buffer out = new mpjbuf.Buffer(BufferFactory.create(room + MPI.SEND_OVERHEAD), MPI.SEND_OVERHEAD,
            room + MPI.SEND_OVERHEAD);
        int pos = 0;
        pos = MPI.COMM_WORLD.Pack(new int[] {rank, rank * 10, rank * 100}, 0, 3, MPI.INT, out, pos);
        pos = MPI.COMM_WORLD.Pack(new double[] {-1, rank + 0.5, rank + 0.25}, 1, 2, MPI.DOUBLE, out, pos);
        pos = MPI.COMM_WORLD.Pack(new Object[] {"from " + rank, List.of(rank, rank + 1)}, 0, 2, MPI.OBJECT, out, pos);
        final Datatype everyOther = Datatype.Vector(3, 1, 2, MPI.LONG);
        everyOther.Commit();
        pos = MPI.COMM_WORLD.Pack(new long[] {rank, -1, rank + 1L, -1, rank + 2L}, 0, 1, everyOther, out, pos);
        final int[] bytes = new int[1];
        MPI.COMM_WORLD.Sendrecv(new int[] {pos}, 0, 1, MPI.INT, right, 1, bytes, 0, 1, MPI.INT, left, 1);
        final mpjbuf.Buffer in = new mpjbuf.Buffer(BufferFactory.create(room + MPI.RECV_OVERHEAD), MPI.RECV_OVERHEAD,
            room + MPI.RECV_OVERHEAD);
        // blocking both ways, sends first on even ranks (MPJ Express 0.44 frees the buffer of a non-blocking PACKED
        // receive before Unpack can read it)
        if (rank % 2 == 0)
        {
            MPI.COMM_WORLD.Send(out, 0, pos, MPI.PACKED, right, 2);
            MPI.COMM_WORLD.Recv(in, 0, bytes[0], MPI.PACKED, left, 2);
        }
        else
        {
            MPI.COMM_WORLD.Recv(in, 0, bytes[0], MPI.PACKED, left, 2);
            MPI.COMM_WORLD.Send(out, 0, pos, MPI.PACKED, right, 2);
        }
        final int[] ints = new int[3];
        final double[] doubles = new double[2];
        final Object[] objects = new Object[2];
        final long[] longs = new long[5];
        int at = 0;
        at = MPI.COMM_WORLD.Unpack(in, at, ints, 0, 3, MPI.INT);
        at = MPI.COMM_WORLD.Unpack(in, at, doubles, 0, 2, MPI.DOUBLE);
        at = MPI.COMM_WORLD.Unpack(in, at, objects, 0, 2, MPI.OBJECT);
        at = MPI.COMM_WORLD.Unpack(in, at, longs, 0, 1, everyOther);
        out("unpacked " + Arrays.toString(ints) + " " + Arrays.toString(doubles) + " " + objects[0] + " " +
            objects[1] + " " + Arrays.toString(longs) + " all read " + (at == bytes[0]));
        BufferFactory.destroy(out.getStaticBuffer());
        BufferFactory.destroy(in.getStaticBuffer());

        // a second round, a buffer without room for the device's header (offset 0)
        final mpjbuf.Buffer again = new mpjbuf.Buffer(room);
        final int end = MPI.COMM_WORLD.Pack(new char[] {(char)('a' + rank), 'z'}, 0, 2, MPI.CHAR, again, 0);
        final mpjbuf.Buffer back = new mpjbuf.Buffer(BufferFactory.create(room + MPI.RECV_OVERHEAD),
            MPI.RECV_OVERHEAD, room + MPI.RECV_OVERHEAD);
        if (rank % 2 == 0)
        {
            MPI.COMM_WORLD.Send(again, 0, end, MPI.PACKED, right, 3);
            MPI.COMM_WORLD.Recv(back, 0, end, MPI.PACKED, left, 3);
        }
        else
        {
            MPI.COMM_WORLD.Recv(back, 0, end, MPI.PACKED, left, 3);
            MPI.COMM_WORLD.Send(again, 0, end, MPI.PACKED, right, 3);
        }
        final char[] chars = new char[2];
        MPI.COMM_WORLD.Unpack(back, 0, chars, 0, 2, MPI.CHAR);
        out("blocking packed " + new String(chars));

        // a Buffer written and read section by section, as MPJ Express's device tests do
        final mpjbuf.Buffer sections = new mpjbuf.Buffer(BufferFactory.create(256 + MPI.SEND_OVERHEAD),
            MPI.SEND_OVERHEAD, 256 + MPI.SEND_OVERHEAD);
        sections.putSectionHeader(mpjbuf.Type.INT);
        sections.write(new int[] {7, rank, 9}, 0, 3);
        sections.putSectionHeader(mpjbuf.Type.DOUBLE);
        sections.write(new double[] {rank * 1.5}, 0, 1);
        sections.commit();
        final mpjbuf.Type first = sections.getSectionHeader();
        final int firstSize = sections.getSectionSize();
        final int[] firstData = new int[firstSize];
        sections.read(firstData, 0, firstSize);
        final mpjbuf.Type second = sections.getSectionHeader();
        final double[] secondData = new double[sections.getSectionSize()];
        sections.read(secondData, 0, secondData.length);
        out("sections " + (first == mpjbuf.Type.INT) + " " + Arrays.toString(firstData) + " " +
            (second == mpjbuf.Type.DOUBLE) + " " + Arrays.toString(secondData));

        // an MPIException is an mpjdev.MPJDevException
        try
        {
            MPI.COMM_WORLD.Send(new int[1], 0, 1, MPI.INT, size + 5, 4);
            out("no exception");
        }
        catch (final MPJDevException ex)
        {
            out("caught as MPJDevException " + (ex instanceof MPIException));
        }

        MPI.COMM_WORLD.Barrier();
        out("DONE");
        MPI.Finalize();
    }
}
