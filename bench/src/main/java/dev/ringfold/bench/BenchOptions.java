package dev.ringfold.bench;

import java.util.Locale;

/**
 * The command line of {@link OsuBench}, {@code OP [--sizes 8,1K,1M] [--iters N] [--min-iters N] [--json]} in any
 * order, and the iteration policy of the C anchors: {@code iters} timed iterations for messages up to
 * {@link #SCALE_BYTES}, then about {@code iters * SCALE_BYTES / bytes}, never fewer than {@code minIters}; before
 * them, a tenth as many untimed warm-up iterations (at least 2).
 *
 * @param op       the operation's name.
 * @param sizes    message sizes in bytes, in the order given; null for the operation's default.
 * @param iters    timed iterations for small messages.
 * @param minIters the floor for large messages.
 * @param json     one JSON object per line instead of a table.
 * @param seconds  soak: how long to run.
 * @param seed     soak: the seed every rank draws the operations from; null for one chosen by rank 0.
 * @param heap     latency and bw: messages from and into Java arrays (the path of the array calls and the mpiJava
 *                 API) instead of off-heap buffers.
 * @param shared   collectives: every rank's buffers are node-shared tensors (a NodeSharedAllocator's), which the
 *                 shared-memory collectives reduce in place; rows say {@code "buffers":"shared"}.
 */
public record BenchOptions(String op, int[] sizes, int iters, int minIters, boolean json, String algo,
    double seconds, Long seed, boolean heap, boolean shared)
{
    public static final double DEFAULT_SOAK_SECONDS = 10;

    /** Above this many bytes per iteration, iterations fall as 1/size. */
    public static final long SCALE_BYTES = 64 * 1024;
    public static final int DEFAULT_ITERS = 10_000;
    public static final int DEFAULT_MIN_ITERS = 20;

    public static final String USAGE = """
        usage: ringfold-bench OP [-np N] [-dev shm|tcp|auto] [--sizes LIST] [--iters N] [--min-iters N] [--json]
                             [--algo NAME] [--seconds S] [--seed N] [--heap] [--shared]
          OP             %s
          --sizes LIST   message sizes, e.g. 8,1K,64K,1M,16M (K/M/G = 2^10/2^20/2^30 bytes); default 8,1K,64K,1M,16M
          --iters N      timed iterations for messages up to 64 KiB, fewer (~N*64KiB/size) above; default %d
          --min-iters N  at least this many timed iterations at any size; default %d
          --algo NAME    collectives: force the algorithm (allreduce: ring | recursive_doubling;
                         bcast: binomial | chain); default: the selection table
          --heap         latency, bw: send from and receive into Java arrays instead of off-heap buffers
          --shared       collectives: buffers are node-shared tensors (NodeSharedAllocator), reduced in place
                         when every rank is on one node; default: private off-heap buffers
          --seconds S    soak: run for S seconds (default 10); --seed N: the operations' seed (default: drawn)
          --json         one JSON object per size on stdout: {"op","np","dev","bytes","usec","gbps"}, for the
                         collectives {"op","np","dev","algo","bytes","usec","algbw_gbps","busbw_gbps"}; soak: one
                         object with operations, bytes, errors and resources before/after (docs/reliability.md)
        """;

    /** Thrown for a command line that cannot be run; the message says why. */
    public static final class UsageException extends IllegalArgumentException
    {
        public UsageException(final String message)
        {
            super(message);
        }
    }

    public static String usage(final String opSummary)
    {
        return String.format(Locale.ROOT, USAGE, opSummary, DEFAULT_ITERS, DEFAULT_MIN_ITERS);
    }

    /** Parses the arguments after the launcher's: the operation's name and options, in any order. */
    public static BenchOptions parse(final String... args)
    {
        String op = null;
        int[] sizes = null;
        int iters = DEFAULT_ITERS;
        int minIters = DEFAULT_MIN_ITERS;
        boolean json = false;
        boolean heap = false;
        boolean shared = false;
        String algo = null;
        double seconds = DEFAULT_SOAK_SECONDS;
        Long seed = null;
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if (!arg.startsWith("-"))
            {
                if (op != null)
                {
                    throw new UsageException("unexpected argument '" + arg + "' (the operation is '" + op + "')");
                }
                op = arg;
                continue;
            }
            final int eq = arg.indexOf('=');
            final String name = arg.startsWith("--") && eq > 0 ? arg.substring(0, eq) : arg;
            final String inline = arg.startsWith("--") && eq > 0 ? arg.substring(eq + 1) : null;
            switch (name)
            {
                case "--json" -> json = true;
                case "--heap" -> heap = true;
                case "--shared" -> shared = true;
                case "--sizes" ->
                {
                    final String list = inline != null ? inline : value(args, i++, name);
                    try
                    {
                        sizes = Sizes.parseList(list);
                    }
                    catch (final IllegalArgumentException ex)
                    {
                        throw new UsageException("--sizes " + list + ": " + ex.getMessage());
                    }
                }
                case "--iters" -> iters = positive(inline != null ? inline : value(args, i++, name), name);
                case "--min-iters" -> minIters = positive(inline != null ? inline : value(args, i++, name), name);
                case "--seconds" -> seconds = positiveSeconds(inline != null ? inline : value(args, i++, name));
                case "--seed" ->
                {
                    final String text = inline != null ? inline : value(args, i++, name);
                    try
                    {
                        seed = Long.parseLong(text.trim());
                    }
                    catch (final NumberFormatException ex)
                    {
                        throw new UsageException("--seed needs a whole number, not '" + text + "'");
                    }
                }
                case "--algo" -> algo = (inline != null ? inline : value(args, i++, name)).toLowerCase(Locale.ROOT);
                default -> throw new UsageException("unknown option '" + arg + "'");
            }
        }
        if (op == null)
        {
            throw new UsageException("name the operation");
        }
        return new BenchOptions(op, sizes, iters, minIters, json, algo, seconds, seed, heap, shared);
    }

    /** Timed iterations for a step that moves this many bytes (a message, or a window of messages). */
    public int timedIterations(final long bytesPerIteration)
    {
        long n = iters;
        if (bytesPerIteration > SCALE_BYTES)
        {
            n = (long)((double)iters * SCALE_BYTES / bytesPerIteration);
        }
        return (int)Math.max(Math.max(n, minIters), 1);
    }

    /** Untimed iterations before the timed ones. */
    public static int warmupIterations(final int timed)
    {
        return Math.max(2, timed / 10);
    }

    private static String value(final String[] args, final int at, final String name)
    {
        if (at + 1 >= args.length)
        {
            throw new UsageException(name + " needs a value");
        }
        return args[at + 1];
    }

    private static double positiveSeconds(final String text)
    {
        try
        {
            final double s = Double.parseDouble(text.trim());
            if (s > 0 && s < 1e7)
            {
                return s;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // reported below
        }
        throw new UsageException("--seconds needs a positive number of seconds, not '" + text + "'");
    }

    private static int positive(final String text, final String name)
    {
        try
        {
            final int n = Integer.parseInt(text.trim());
            if (n >= 1)
            {
                return n;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // reported below
        }
        throw new UsageException(name + " needs a positive whole number, not '" + text + "'");
    }
}
