package dev.ringfold.bench;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.mpi.RingfoldException;
import dev.ringfold.mpi.bootstrap.LaunchEnvironment;
import dev.ringfold.tensors.ReduceOp;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * OSU-style micro-benchmarks of Ringfold, run by {@code bin/ringfold-bench OP -np N [-dev shm|tcp] [options]}: every
 * rank runs this main; rank 0 prints the table (or {@code --json} lines) on stdout, diagnostics go to stderr.
 * Before the sizes asked for, the smallest of them and then the largest (at most 1 MiB) run once unreported, as
 * a JIT warm-up.
 * Exit status: 0, 1 when a payload check failed or the job could not run, 2 for a bad command line.
 * Operations are listed in {@link #OPS}; adding one is a {@link BenchOp} and a line there.
 */
public final class OsuBench
{
    static final Map<String, Supplier<BenchOp>> OPS = new LinkedHashMap<>();
    /** Enough to compile the large-message paths in the warm-up, small enough to cost well under a second. */
    private static final int WARM_UP_LARGE_BYTES = 1 << 20;

    static
    {
        OPS.put("latency", LatencyOp::new);
        OPS.put("bw", BandwidthOp::new);
        OPS.put("kernels", KernelsOp::new);
        for (final CollectiveOp.Kind kind : CollectiveOp.Kind.values())
        {
            OPS.put(kind.label(), () -> new CollectiveOp(kind));
        }
        OPS.put("soak", SoakOp::new);
    }

    private OsuBench()
    {
    }

    public static void main(final String[] args)
    {
        System.exit(run(args, System.out, System.err));
    }

    static String usage()
    {
        return BenchOptions.usage(OPS.keySet().stream().collect(Collectors.joining(" | ")) + "\n" +
            OPS.values().stream().map(s -> "                   " + s.get().summary())
                .collect(Collectors.joining("\n")));
    }

    /**
     * The soak: not a table of sizes but one long run, bracketed by resource snapshots on every rank (taken after
     * set-up, when the buffers exist, and before close) and ended by one report from rank 0.
     */
    private static int soak(final BenchContext ctx, final SoakOp soak, final String jobId, final int maxBytes,
        final ResultPrinter printer)
    {
        final Collectives collectives = Collectives.of(ctx.world());
        soak.setUp(ctx, maxBytes);
        final long[] seed = {ctx.options().seed() != null ? ctx.options().seed() : System.nanoTime()};
        collectives.broadcast(seed, 0, 1, 0); // rank 0's choice, when none was given
        if (ctx.rank() == 0)
        {
            printer.announce("# soak starting: np=" + ctx.np() + ", dev=" + ctx.dev() + ", seed=" + seed[0] + ", " +
                ctx.options().seconds() + " s, messages up to " + Sizes.label(maxBytes) + " per rank");
        }
        collectives.barrier();
        final ResourceSnapshot before = ResourceSnapshot.take(soak.allocator(), jobId);
        final long start = System.nanoTime();
        soak.run(seed[0], ctx.options().seconds());
        final double seconds = (System.nanoTime() - start) / 1e9;
        collectives.barrier();
        final ResourceSnapshot after = ResourceSnapshot.take(soak.allocator(), jobId);
        final long[] totals = {soak.bytes, soak.wrongElements};
        collectives.allReduce(totals, 0, totals.length, ReduceOp.SUM);
        final long[] growth = new long[ResourceSnapshot.FIELDS];
        final long[] from = before.toArray();
        final long[] to = after.toArray();
        for (int i = 0; i < growth.length; i++)
        {
            growth[i] = to[i] - from[i];
        }
        collectives.allReduce(growth, 0, growth.length, ReduceOp.MAX);
        soak.allocator().close(); // Arrow throws here if a tensor of the soak was left open
        if (ctx.rank() == 0)
        {
            printer.print(new SoakReport(ctx.np(), ctx.dev(), seed[0], seconds, soak.operations, soak.nonBlocking,
                soak.pointToPoint, totals[0], totals[1], before, after, ResourceSnapshot.of(growth, 0)));
        }
        ctx.verdict(soak.wrongElements, "soak");
        collectives.barrier(); // close is local: let every rank finish before any leaves
        return 0;
    }

    static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        // every rank parses the same line; only the first rank (or a rank started by hand) says what is wrong
        final String envRank = System.getenv(LaunchEnvironment.RANK);
        final boolean speaks = envRank == null || envRank.equals("0");
        final BenchOptions options;
        final BenchOp op;
        try
        {
            options = BenchOptions.parse(args);
            final Supplier<BenchOp> factory = OPS.get(options.op());
            if (factory == null)
            {
                throw new BenchOptions.UsageException("unknown operation '" + options.op() + "'");
            }
            op = factory.get();
            if (options.heap() && !(op instanceof LatencyOp || op instanceof BandwidthOp))
            {
                throw new BenchOptions.UsageException("--heap is for latency and bw, not " + options.op());
            }
            if (options.shared() && !(op instanceof CollectiveOp))
            {
                throw new BenchOptions.UsageException("--shared is for the collectives, not " + options.op());
            }
        }
        catch (final BenchOptions.UsageException ex)
        {
            if (speaks)
            {
                err.println("ringfold-bench: " + ex.getMessage());
                err.print(usage());
            }
            return 2;
        }
        final int[] sizes = options.sizes() != null ? options.sizes() : Sizes.parseList(op.defaultSizes());
        int maxBytes = 1;
        int minBytes = Integer.MAX_VALUE;
        for (final int n : sizes)
        {
            maxBytes = Math.max(maxBytes, n);
            minBytes = Math.min(minBytes, n);
        }

        try (Ringfold rf = Ringfold.init())
        {
            final BenchContext ctx = new BenchContext(rf, options);
            if (ctx.np() < op.minRanks())
            {
                if (ctx.rank() == 0)
                {
                    err.println("ringfold-bench: " + op.name() + " needs at least " + op.minRanks() +
                        " ranks, this job has " + ctx.np() + " (use -np " + op.minRanks() + ")");
                }
                return 2;
            }
            final ResultPrinter printer = new ResultPrinter(out, options.json());
            if (!(op instanceof SizedOp sized))
            {
                return soak(ctx, (SoakOp)op, rf.jobId(), maxBytes, printer);
            }
            final String title = sized.summary() + "; np=" + ctx.np() + ", dev=" + ctx.dev() +
                (options.shared() ? ", node-shared buffers" : "") + ", payloads checked";
            sized.setUp(ctx, maxBytes);
            // JIT warm-up: the smallest size once, checked but not reported, so that the first size reported is
            // not measured while the JVM still interprets or compiles the loop (the per-size warm-up is short);
            // then a large size once, for the large-message paths (rendezvous, the reduce kernels' vector loops):
            // without it the first 1 MiB row of a --sizes 8,1M,16M run measured mostly interpreted reductions
            // (20 iterations, median 9.4 ms; the same size again after 16 MiB: 1.5 ms, all-reduce over TCP)
            sized.measure(ctx, minBytes);
            if (maxBytes > minBytes)
            {
                sized.measure(ctx, Math.min(maxBytes, WARM_UP_LARGE_BYTES));
            }
            for (final int n : sizes)
            {
                for (final Measurement m : sized.measure(ctx, n))
                {
                    printer.print(m, title);
                }
            }
            ctx.world().barrier(); // close is local: let every rank finish before any leaves
            op.close();
            return 0;
        }
        catch (final BenchFailure ex)
        {
            err.println("ringfold-bench: FAIL: " + ex.getMessage());
            return 1;
        }
        catch (final RingfoldException ex)
        {
            // the type says which kind of failure it was (PeerFailedException: a rank died)
            err.println("ringfold-bench: " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
            return 1;
        }
        catch (final OutOfMemoryError ex)
        {
            err.println("ringfold-bench: out of memory for messages of up to " + Sizes.label(maxBytes) +
                " (bw holds " + BandwidthOp.WINDOW + " receive buffers on rank 1): " + ex.getMessage());
            return 1;
        }
    }
}
