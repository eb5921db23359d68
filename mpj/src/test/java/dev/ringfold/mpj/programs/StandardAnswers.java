package dev.ringfold.mpj.programs;

import mpi.Cartcomm;
import mpi.Datatype;
import mpi.Group;
import mpi.Intercomm;
import mpi.Intracomm;
import mpi.MPI;
import mpi.Op;
import mpi.Status;

import java.util.Arrays;

import static dev.ringfold.mpj.programs.Print.out;

/**
 * Checks where MPJ Express 0.44 departs from the MPI standard (docs/mpj.md lists them): every check computes the
 * standard's answer itself and prints "ok NAME" or "WRONG NAME: what came". Ringfold must print ok for all;
 * run on MPJ Express it shows which of its bugs are still there (np = 4).
 */
public class StandardAnswers
{
    static int rank;
    static int size;


    interface Check
    {
        String run() throws Exception;
    }

    /** MPJ Express's device layer is on the class path (Ringfold has none). */
    static boolean onMpjExpress()
    {
        try
        {
            Class.forName("xdev.Device");
            return true;
        }
        catch (final ClassNotFoundException ex)
        {
            return false;
        }
    }

    /** A check returns null when the answer is the standard's, else what it got. */
    static void check(final String name, final Check check)
    {
        String wrong;
        try
        {
            wrong = check.run();
        }
        catch (final Throwable t)
        {
            Throwable root = t;
            while (root.getCause() != null)
            {
                root = root.getCause();
            }
            wrong = "threw " + root.getClass().getSimpleName();
        }
        out(wrong == null ? "ok " + name : "WRONG " + name + ": " + wrong);
    }

    public static void main(final String[] args) throws Exception
    {
        MPI.Init(args);
        rank = MPI.COMM_WORLD.Rank();
        size = MPI.COMM_WORLD.Size();

        check("bitwise-or-xor", () ->
        {
            final int[] got = new int[2];
            MPI.COMM_WORLD.Allreduce(new int[] {1 << rank, rank + 1}, 0, got, 0, 1, MPI.INT, MPI.BOR);
            MPI.COMM_WORLD.Allreduce(new int[] {rank + 1}, 0, got, 1, 1, MPI.INT, MPI.BXOR);
            int or = 0;
            int xor = 0;
            for (int r = 0; r < size; r++)
            {
                or |= 1 << r;
                xor ^= r + 1;
            }
            return got[0] == or && got[1] == xor ? null : Arrays.toString(got) + " for [" + or + ", " + xor + "]";
        });

        check("reduce-at-receive-offset", () ->
        {
            final int[] got = new int[5];
            MPI.COMM_WORLD.Reduce(new int[] {1, rank, 2, rank * rank}, 0, got, 1, 4, MPI.INT, MPI.SUM, 0);
            int sum = 0;
            int squares = 0;
            for (int r = 0; r < size; r++)
            {
                sum += r;
                squares += r * r;
            }
            final int[] expected = {0, size, sum, 2 * size, squares};
            return rank != 0 || Arrays.equals(got, expected) ? null : Arrays.toString(got) + " for " +
                Arrays.toString(expected);
        });

        check("allreduce-large-at-offsets", () ->
        {
            final int count = 100_003;
            final float[] in = new float[count + 2];
            for (int i = 0; i < count; i++)
            {
                in[2 + i] = (rank + 1) * (i % 7);
            }
            final float[] got = new float[count + 9];
            Arrays.fill(got, -1f);
            MPI.COMM_WORLD.Allreduce(in, 2, got, 5, count, MPI.FLOAT, MPI.SUM);
            for (int i = 0; i < got.length; i++)
            {
                final float want = i < 5 || i >= 5 + count ? -1f : size * (size + 1) / 2f * ((i - 5) % 7);
                if (got[i] != want)
                {
                    return "element " + i + " is " + got[i] + ", expected " + want;
                }
            }
            return null;
        });

        check("reduce-scatter", () ->
        {
            final int[] counts = new int[size];
            int total = 0;
            for (int r = 0; r < size; r++)
            {
                counts[r] = r % 3;
                total += counts[r];
            }
            final int[] in = new int[total];
            for (int i = 0; i < total; i++)
            {
                in[i] = (rank + 1) * (i + 1);
            }
            final int[] got = new int[Math.max(1, counts[rank])];
            MPI.COMM_WORLD.Reduce_scatter(in, 0, got, 0, counts, MPI.INT, MPI.SUM);
            int start = 0;
            for (int r = 0; r < rank; r++)
            {
                start += counts[r];
            }
            final int ranks = size * (size + 1) / 2;
            for (int i = 0; i < counts[rank]; i++)
            {
                if (got[i] != ranks * (start + i + 1))
                {
                    return Arrays.toString(got) + " at block start " + start;
                }
            }
            return null;
        });

        check("scan-non-commutative-order", () ->
        {
            // 2x2 matrices [[r+1, 1], [1, 0]]: the prefix product must be M0 M1 ... Mrank, in that order
            final Op product = new Op(new CollectiveOps.MatrixProduct(), false);
            final int[] got = new int[4];
            MPI.COMM_WORLD.Scan(new int[] {rank + 1, 1, 1, 0}, 0, got, 0, 1, Datatype.Contiguous(4, MPI.INT), product);
            long a = 1;
            long b = 0;
            long c = 0;
            long d = 1;
            for (int r = 0; r <= rank; r++)
            {
                final long na = a * (r + 1) + b;
                final long nb = a;
                final long nc = c * (r + 1) + d;
                final long nd = c;
                a = na;
                b = nb;
                c = nc;
                d = nd;
            }
            final int[] expected = {(int)a, (int)b, (int)c, (int)d};
            return Arrays.equals(got, expected) ? null : Arrays.toString(got) + " for " + Arrays.toString(expected);
        });

        check("receive-from-proc-null", () ->
        {
            final Status s = MPI.COMM_WORLD.Recv(new int[1], 0, 1, MPI.INT, MPI.PROC_NULL, 1);
            MPI.COMM_WORLD.Send(new int[1], 0, 1, MPI.INT, MPI.PROC_NULL, 1);
            return s.source == MPI.PROC_NULL && s.Get_count(MPI.INT) == 0 ? null : "source " + s.source;
        });

        check("shift-past-non-periodic-edge", () ->
        {
            final Cartcomm line = MPI.COMM_WORLD.Create_cart(new int[] {size}, new boolean[] {false}, false);
            final int source = line.Shift(0, 1).rank_source;
            final int expected = rank == 0 ? MPI.PROC_NULL : rank - 1;
            return source == expected ? null : "rank_source " + source + " for " + expected;
        });

        check("dims-create-keeps-preset", () ->
        {
            final int[] dims = {0, 1};
            Cartcomm.Dims_create(size, dims);
            return dims[0] == size && dims[1] == 1 ? null : Arrays.toString(dims);
        });

        check("group-compare-unequal", () ->
        {
            final Group world = MPI.COMM_WORLD.Group();
            final int c = Group.Compare(world.Incl(new int[] {0}), world.Incl(new int[] {1}));
            return c == MPI.UNEQUAL ? null : String.valueOf(c);
        });

        check("gather-derived-send-type", () ->
        {
            final int[] mine = new int[8];
            for (int i = 0; i < 8; i++)
            {
                mine[i] = rank * 100 + i;
            }
            final int[] all = new int[4 * size];
            MPI.COMM_WORLD.Gather(mine, 0, 1, Datatype.Vector(2, 2, 5, MPI.INT), all, 0, 4, MPI.INT, 0);
            for (int r = 0; rank == 0 && r < size; r++)
            {
                final int[] block = Arrays.copyOfRange(all, 4 * r, 4 * r + 4);
                if (!Arrays.equals(block, new int[] {r * 100, r * 100 + 1, r * 100 + 5, r * 100 + 6}))
                {
                    return Arrays.toString(all);
                }
            }
            return null;
        });

        check("allreduce-derived-type", () ->
        {
            final Datatype indexed = Datatype.Indexed(new int[] {1, 2}, new int[] {0, 3}, MPI.INT);
            indexed.Commit();
            final int[] in = {rank, -1, -1, 10 * rank, 100 * rank};
            final int[] got = new int[5];
            MPI.COMM_WORLD.Allreduce(in, 0, got, 0, 1, indexed, MPI.SUM);
            final int s = size * (size - 1) / 2;
            final int[] expected = {s, 0, 0, 10 * s, 100 * s};
            return Arrays.equals(got, expected) ? null : Arrays.toString(got) + " for " + Arrays.toString(expected);
        });

        check("create-non-member-gets-null", () ->
        {
            final Group world = MPI.COMM_WORLD.Group();
            final Intracomm c = MPI.COMM_WORLD.Create(world.Excl(new int[] {0}));
            if (rank == 0)
            {
                return c == null ? null : "a communicator, rank " + c.Rank() + " of " + c.Size();
            }
            return c != null && c.Size() == size - 1 && c.Rank() == rank - 1 ? null : "a wrong communicator";
        });

        check("intercomm-point-to-point", () ->
        {
            if (onMpjExpress())
            {
                // it would hang the run: each rank would wait for its leader's message for ever
                return "not run: MPJ Express 0.44's Create_intercomm looks the remote leader up in the local group " +
                    "(ArrayIndexOutOfBoundsException on one leader, the other ranks wait for ever)";
            }
            final boolean low = rank < size / 2;
            final Intracomm side = MPI.COMM_WORLD.Split(low ? 0 : 1, rank);
            final Intercomm inter = side.Create_intercomm(MPI.COMM_WORLD, 0, low ? size / 2 : 0, 99);
            final int local = inter.Rank();
            final int remoteSize = inter.Remote_size();
            final StringBuilder wrong = new StringBuilder();
            if (!inter.Test_inter() || inter.Size() != side.Size() || remoteSize != size - side.Size())
            {
                wrong.append("sizes ").append(inter.Size()).append('/').append(remoteSize).append(' ');
            }
            // the partner is the remote rank of the same local rank: world rank local + size / 2 or local
            final int partnerWorld = low ? local + size / 2 : local;
            final int[] got = new int[2];
            if (low)
            {
                inter.Send(new int[] {rank, 10 * rank}, 0, 2, MPI.INT, local, 5);
            }
            final Status s = inter.Recv(got, 0, 2, MPI.INT, low ? MPI.ANY_SOURCE : local, low ? 6 : 5);
            if (!low)
            {
                inter.Send(new int[] {rank, 10 * rank}, 0, 2, MPI.INT, local, 6);
            }
            if (got[0] != partnerWorld || got[1] != 10 * partnerWorld || s.source != local)
            {
                wrong.append("recv ").append(Arrays.toString(got)).append(" from ").append(s.source).append(' ');
            }
            final int[] replace = {rank};
            final Status rs = inter.Sendrecv_replace(replace, 0, 1, MPI.INT, (local + 1) % remoteSize, 7,
                (local + remoteSize - 1) % remoteSize, 7);
            final int from = (local + remoteSize - 1) % remoteSize;
            if (replace[0] != (low ? from + size / 2 : from) || rs.source != from)
            {
                wrong.append("replace ").append(replace[0]).append(" from ").append(rs.source).append(' ');
            }
            final Object[] objects = new Object[1];
            final mpi.Request orecv = inter.Irecv(objects, 0, 1, MPI.OBJECT, local, 8);
            inter.Isend(new Object[] {"from " + rank}, 0, 1, MPI.OBJECT, local, 8).Wait();
            final Status os = orecv.Wait();
            if (!("from " + partnerWorld).equals(objects[0]) || os.source != local)
            {
                wrong.append("object ").append(objects[0]).append(" from ").append(os.source).append(' ');
            }
            final Intracomm merged = inter.Merge(!low);
            if (merged.Size() != size || merged.Rank() != rank)
            {
                wrong.append("merged rank ").append(merged.Rank()).append(" of ").append(merged.Size());
            }
            return wrong.length() == 0 ? null : wrong.toString().trim();
        });

        check("packed-irecv", () ->
        {
            final int right = (rank + 1) % size;
            final int left = (rank + size - 1) % size;
            final mpjbuf.Buffer out = new mpjbuf.Buffer(mpjbuf.BufferFactory.create(256 + MPI.SEND_OVERHEAD),
                MPI.SEND_OVERHEAD, 256 + MPI.SEND_OVERHEAD);
            final int end = MPI.COMM_WORLD.Pack(new int[] {rank, -rank}, 0, 2, MPI.INT, out, 0);
            final mpjbuf.Buffer in = new mpjbuf.Buffer(mpjbuf.BufferFactory.create(256 + MPI.RECV_OVERHEAD),
                MPI.RECV_OVERHEAD, 256 + MPI.RECV_OVERHEAD);
            final mpi.Request recv = MPI.COMM_WORLD.Irecv(in, 0, end, MPI.PACKED, left, 77);
            MPI.COMM_WORLD.Send(out, 0, end, MPI.PACKED, right, 77);
            recv.Wait();
            final int[] got = new int[2];
            MPI.COMM_WORLD.Unpack(in, 0, got, 0, 2, MPI.INT);
            return got[0] == left && got[1] == -left ? null : Arrays.toString(got) + " for [" + left + ", " + -left +
                "]";
        });

        // last: under MPJ Express the ranks that keep a colour die inside Split
        check("split-undefined-color", () ->
        {
            final Intracomm c = MPI.COMM_WORLD.Split(rank == 0 ? MPI.UNDEFINED : 1, rank);
            if (rank == 0)
            {
                return c == null ? null : "a communicator of size " + c.Size();
            }
            return c != null && c.Size() == size - 1 && c.Rank() == rank - 1 ? null :
                "rank " + (c == null ? "none" : c.Rank() + " of " + c.Size());
        });

        out("DONE");
        MPI.Finalize();
    }
}
