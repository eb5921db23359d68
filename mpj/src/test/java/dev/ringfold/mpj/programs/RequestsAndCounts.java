package dev.ringfold.mpj.programs;

import mpi.Datatype;
import mpi.MPI;
import mpi.Prequest;
import mpi.Request;
import mpi.Status;

import java.util.Arrays;

import static dev.ringfold.mpj.programs.Print.out;

/**
 * Completed requests turning into null requests under every Wait/Test call (basic and OBJECT messages), persistent
 * OBJECT requests, the counts of a zero-size Struct (np = 4).
 */
public class RequestsAndCounts
{
    public static void main(final String[] args) throws Exception
    {
        MPI.Init(args);
        final int rank = MPI.COMM_WORLD.Rank();
        final int size = MPI.COMM_WORLD.Size();
        final int right = (rank + 1) % size;
        final int left = (rank + size - 1) % size;

        // Wait and Test make the request null
        final int[] one = new int[1];
        final Request waited = MPI.COMM_WORLD.Irecv(one, 0, 1, MPI.INT, left, 1);
        MPI.COMM_WORLD.Send(new int[] {rank}, 0, 1, MPI.INT, right, 1);
        out("before wait null " + waited.Is_null());
        waited.Wait();
        out("wait null " + waited.Is_null() + " got " + one[0]);
        final Request tested = MPI.COMM_WORLD.Isend(new int[] {rank}, 0, 1, MPI.INT, right, 2);
        MPI.COMM_WORLD.Recv(one, 0, 1, MPI.INT, left, 2);
        while (tested.Test() == null)
        {
            Thread.onSpinWait();
        }
        out("test null " + tested.Is_null());

        for (final boolean objects : new boolean[] {false, true})
        {
            final String kind = objects ? "object " : "int ";
            // Waitany: each call reports one more request, which is null from then on
            Request[] reqs = exchange(objects, rank, size, 10);
            final StringBuilder waitany = new StringBuilder();
            int sum = 0;
            for (int k = 0; k < reqs.length; k++)
            {
                final Status s = Request.Waitany(reqs);
                waitany.append(nulls(reqs)).append(' ');
                sum += s.index >= 0 && reqs[s.index].Is_null() ? 1 : 100;
            }
            out(kind + "waitany nulls after each " + waitany + "reported-and-null " + sum);

            // Testany until every request is reported
            reqs = exchange(objects, rank, size, 11);
            int reported = 0;
            boolean allNullWhenReported = true;
            while (reported < reqs.length)
            {
                final Status s = Request.Testany(reqs);
                if (s != null)
                {
                    reported++;
                    allNullWhenReported &= reqs[s.index].Is_null() && nulls(reqs) == reported;
                }
            }
            out(kind + "testany reported " + reported + " each then null " + allNullWhenReported);

            // Waitsome and Testsome: what they report is null, what they do not is not
            for (final boolean wait : new boolean[] {true, false})
            {
                reqs = exchange(objects, rank, size, wait ? 12 : 13);
                reported = 0;
                boolean consistent = true;
                while (reported < reqs.length)
                {
                    final Status[] some = wait ? Request.Waitsome(reqs) : Request.Testsome(reqs);
                    for (final Status s : some)
                    {
                        consistent &= reqs[s.index].Is_null();
                    }
                    reported += some.length;
                    consistent &= nulls(reqs) == reported;
                }
                out(kind + (wait ? "waitsome" : "testsome") + " reported " + reported + " null as reported " +
                    consistent);
            }

            // Testall: nothing null until all are complete, then all
            reqs = exchange(objects, rank, size, 14);
            Status[] all;
            int incompleteNulls = 0;
            while ((all = Request.Testall(reqs)) == null)
            {
                incompleteNulls += nulls(reqs);
            }
            out(kind + "testall statuses " + all.length + " nulls " + nulls(reqs) + " nulls while incomplete " +
                incompleteNulls);
            MPI.COMM_WORLD.Barrier();
        }

        // persistent requests carrying OBJECTs, three rounds (Start, then Startall), each waiting for its send first
        final Object[] psend = new Object[2];
        final Object[] precv = new Object[2];
        final Prequest ps = MPI.COMM_WORLD.Send_init(psend, 0, 2, MPI.OBJECT, right, 60);
        final Prequest pr = MPI.COMM_WORLD.Recv_init(precv, 0, 2, MPI.OBJECT, left, 60);
        final StringBuilder rounds = new StringBuilder();
        for (int round = 0; round < 3; round++)
        {
            psend[0] = "round " + round + " from " + rank;
            // large enough to go by rendezvous: the send completes only once the receive has matched
            final int[] payload = new int[200_000];
            Arrays.fill(payload, rank * 10 + round);
            psend[1] = payload;
            if (round == 0)
            {
                pr.Start();
                ps.Start();
            }
            else
            {
                Prequest.Startall(new Prequest[] {pr, ps});
            }
            ps.Wait();
            pr.Wait();
            rounds.append('[').append(precv[0]).append(' ').append(Arrays.stream((int[])precv[1]).asLongStream().sum())
                .append("] ");
        }
        out("persistent objects " + rounds);

        // blocking calls while an OBJECT receive is open: an odd rank's large OBJECT send to the next (even) rank
        // completes only once that rank's open receive matches, and the even rank is in a blocking Recv meanwhile
        final Object[] big = new Object[1];
        final mpi.Request open = MPI.COMM_WORLD.Irecv(big, 0, 1, MPI.OBJECT, left, 61);
        final int[] payload = new int[300_000];
        Arrays.fill(payload, rank);
        final int[] after = new int[1];
        if (rank % 2 == 0)
        {
            MPI.COMM_WORLD.Recv(after, 0, 1, MPI.INT, left, 62);
            MPI.COMM_WORLD.Send(new Object[] {payload}, 0, 1, MPI.OBJECT, right, 61);
        }
        else
        {
            MPI.COMM_WORLD.Send(new Object[] {payload}, 0, 1, MPI.OBJECT, right, 61);
            MPI.COMM_WORLD.Send(new int[] {rank}, 0, 1, MPI.INT, right, 62);
        }
        open.Wait();
        out("blocking beside an open object receive " + Arrays.stream((int[])big[0]).asLongStream().sum() +
            (rank % 2 == 0 ? " after " + after[0] : ""));

        // a Struct of size zero: 100 of them make an empty message
        final Datatype empty = Datatype.Struct(new int[] {0}, new int[] {0}, new Datatype[] {MPI.INT});
        empty.Commit();
        final Request zr = MPI.COMM_WORLD.Irecv(new int[4], 0, 100, empty, left, 70);
        MPI.COMM_WORLD.Send(new int[4], 0, 100, empty, right, 70);
        final Status zs = zr.Wait();
        out("zero-size struct size " + empty.Size() + " count " + zs.Get_count(empty) + " elements " +
            (zs.Get_elements(empty) == MPI.UNDEFINED ? "UNDEFINED" : String.valueOf(zs.Get_elements(empty))));

        MPI.COMM_WORLD.Barrier();
        out("DONE");
        MPI.Finalize();
    }

    /** One receive from and one send to every other rank, as requests, receives first. */
    private static Request[] exchange(final boolean objects, final int rank, final int size, final int tag)
    {
        final Request[] reqs = new Request[2 * (size - 1)];
        int k = 0;
        for (int p = 0; p < size; p++)
        {
            if (p != rank)
            {
                reqs[k++] = objects ? MPI.COMM_WORLD.Irecv(new Object[1], 0, 1, MPI.OBJECT, p, tag) :
                    MPI.COMM_WORLD.Irecv(new int[1], 0, 1, MPI.INT, p, tag);
            }
        }
        for (int p = 0; p < size; p++)
        {
            if (p != rank)
            {
                reqs[k++] = objects ? MPI.COMM_WORLD.Isend(new Object[] {"o" + rank}, 0, 1, MPI.OBJECT, p, tag) :
                    MPI.COMM_WORLD.Isend(new int[] {rank}, 0, 1, MPI.INT, p, tag);
            }
        }
        return reqs;
    }

    private static int nulls(final Request[] reqs)
    {
        int n = 0;
        for (final Request r : reqs)
        {
            n += r.Is_null() ? 1 : 0;
        }
        return n;
    }
}
