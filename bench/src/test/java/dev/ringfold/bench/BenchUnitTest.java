package dev.ringfold.bench;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The harness of ringfold-bench without ranks: sizes, options, statistics, payload checks, output format. */
@Timeout(30)
class BenchUnitTest
{
    @Test
    void parsesSizeListsWithBinarySuffixes()
    {
        assertArrayEquals(new int[] {8, 1024, 65536, 1 << 20, 16 << 20}, Sizes.parseList("8,1K,64K,1M,16M"));
        assertArrayEquals(new int[] {1 << 30, 3072, 5 << 20}, Sizes.parseList(" 1g , 3k,5m"));
        assertArrayEquals(new int[] {1}, Sizes.parseList("1"));
        assertEquals(Integer.MAX_VALUE, Sizes.parse("2147483647"));
    }

    @Test
    void rejectsSizesThatAreNotWholePositiveMessageSizes()
    {
        for (final String bad : new String[] {"", " ", "8,,16", "8,", "1.5K", "-1", "0", "0K", "K", "1T", "12KB",
            "2G", "2048M", "2147483648", "99999999999999999999", "1e3", "0x10"})
        {
            assertThrows(IllegalArgumentException.class, () -> Sizes.parseList(bad), "accepted '" + bad + "'");
        }
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Sizes.parse("4G"));
        assertTrue(ex.getMessage().contains("largest message"), ex.getMessage());
    }

    @Test
    void soakOptionsParseAndBadOnesAreRefused()
    {
        final BenchOptions o = BenchOptions.parse("soak", "--seconds", "2.5", "--seed=42");
        assertEquals(2.5, o.seconds());
        assertEquals(42L, o.seed());
        assertEquals(BenchOptions.DEFAULT_SOAK_SECONDS, BenchOptions.parse("soak").seconds());
        assertEquals(null, BenchOptions.parse("soak").seed());
        assertThrows(BenchOptions.UsageException.class, () -> BenchOptions.parse("soak", "--seconds", "0"));
        assertThrows(BenchOptions.UsageException.class, () -> BenchOptions.parse("soak", "--seed", "x"));
    }

    @Test
    void soakValuesAreSmallNonZeroIntegersExactInEveryType()
    {
        for (int seq = 0; seq < 100; seq++)
        {
            for (int r = 0; r < 64; r++)
            {
                final long v = SoakOp.value(r, seq * 7919L, seq);
                assertTrue(v >= 1 && v <= 61, "value " + v);
            }
        }
    }

    @Test
    void labelsSizesForTables()
    {
        assertEquals("8 B", Sizes.label(8));
        assertEquals("1 KiB", Sizes.label(1024));
        assertEquals("1536 B", Sizes.label(1536));
        assertEquals("16 MiB", Sizes.label(16 << 20));
        assertEquals("1 GiB", Sizes.label(1 << 30));
    }

    @Test
    void parsesOptionsAndDefaults()
    {
        final BenchOptions d = BenchOptions.parse("latency");
        assertEquals("latency", d.op());
        assertNull(d.sizes());
        assertEquals(BenchOptions.DEFAULT_ITERS, d.iters());
        assertEquals(BenchOptions.DEFAULT_MIN_ITERS, d.minIters());
        assertFalse(d.json());

        final BenchOptions o = BenchOptions.parse("bw", "--json", "--sizes", "8,1M", "--iters=300", "--min-iters", "7");
        assertEquals("bw", o.op());
        assertArrayEquals(new int[] {8, 1 << 20}, o.sizes());
        assertEquals(300, o.iters());
        assertEquals(7, o.minIters());
        assertTrue(o.json());
        assertArrayEquals(new int[] {64}, BenchOptions.parse("bw", "--sizes=64").sizes());
        final BenchOptions late = BenchOptions.parse("--json", "--iters", "5", "latency");
        assertEquals("latency", late.op());
        assertEquals(5, late.iters());
        assertTrue(late.json());
        assertFalse(d.heap());
        assertTrue(BenchOptions.parse("latency", "--heap").heap());
        assertFalse(d.shared());
        assertTrue(BenchOptions.parse("allreduce", "--shared").shared());
    }

    @Test
    void rejectsBadCommandLines()
    {
        for (final String[] bad : new String[][] {{}, {"--json"}, {"latency", "--iters"}, {"latency", "--iters", "0"},
            {"latency", "--iters", "x"}, {"latency", "--sizes", "8,1.5K"}, {"latency", "--fast"},
            {"latency", "extra"}})
        {
            assertThrows(BenchOptions.UsageException.class, () -> BenchOptions.parse(bad), String.join(" ", bad));
        }
    }

    @Test
    void unknownOperationsAndBadOptionsExitTwoWithoutStartingRanks()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        final PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, OsuBench.run(new String[] {"allgatherz"}, o, e));
        assertEquals(2, OsuBench.run(new String[] {"latency", "--sizes", "0"}, o, e));
        assertEquals(2, OsuBench.run(new String[] {"allreduce", "--heap"}, o, e));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        final String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains("unknown operation 'allgatherz'"), message);
        assertTrue(message.contains("--heap is for latency and bw, not allreduce"), message);
        assertTrue(message.contains("latency | bw | kernels | allreduce | bcast"), message);
    }

    @Test
    void scalesIterationsDownWithSizeLikeTheAnchors()
    {
        final BenchOptions o = BenchOptions.parse("latency", "--iters", "1000", "--min-iters", "20");
        assertEquals(1000, o.timedIterations(8));
        assertEquals(1000, o.timedIterations(BenchOptions.SCALE_BYTES));
        assertEquals(500, o.timedIterations(2 * BenchOptions.SCALE_BYTES));
        assertEquals(62, o.timedIterations(1 << 20));
        assertEquals(20, o.timedIterations(16 << 20));
        assertEquals(20, o.timedIterations(1L << 40));
        assertEquals(2, BenchOptions.warmupIterations(5));
        assertEquals(100, BenchOptions.warmupIterations(1000));
    }

    @Test
    void samplesGiveMedianMinAndNearestRankPercentile()
    {
        final Samples s = new Samples(2);
        s.reset(5);
        for (final long v : new long[] {50, 10, 40, 20, 30})
        {
            s.add(v);
        }
        s.sort();
        assertEquals(30.0, s.medianNs());
        assertEquals(10.0, s.minNs());
        assertEquals(50.0, s.percentileNs(99));
        assertEquals(10.0, s.percentileNs(20));

        s.reset(4);
        for (final long v : new long[] {4, 1, 3, 2})
        {
            s.add(v);
        }
        assertEquals(2.5, s.sort().medianNs());
        s.reset(100);
        for (int i = 1; i <= 100; i++)
        {
            s.add(i);
        }
        assertEquals(99.0, s.sort().percentileNs(99));
    }

    @Test
    void measurementsConvertToPerMessageTimesAndDecimalGigabytes()
    {
        final Samples s = new Samples(3);
        for (final long v : new long[] {400, 300, 1000})
        {
            s.add(v);
        }
        final Measurement rtt = Measurement.of("latency", 2, "shm", 8, s, 2.0);
        assertEquals(0.2, rtt.usec(), 1e-12);
        assertEquals(0.15, rtt.minUsec(), 1e-12);
        assertEquals(0.5, rtt.p99Usec(), 1e-12);
        assertEquals(3, rtt.iters());
        assertEquals(0.04, rtt.gbps(), 1e-12); // 8 B in 0.2 us = 4e7 B/s

        final Measurement window = new Measurement("bw", 2, "tcp", 1 << 20, 78, 100.0, 90.0, 120.0);
        assertEquals((1 << 20) / 100e-6 / 1e9, window.gbps(), 1e-12);
    }

    @Test
    void jsonLinesHaveExactlyTheDocumentedFields()
    {
        final Measurement m = new Measurement("latency", 2, "shm", 8, 10_000, 0.14, 0.1, 0.5);
        assertEquals("{\"op\":\"latency\",\"np\":2,\"dev\":\"shm\",\"bytes\":8,\"usec\":0.14,\"gbps\":0.0571}",
            ResultPrinter.json(m));
        final Measurement big = new Measurement("bw", 4, "tcp", 16 << 20, 20, 2796.2026666, 2000, 3000);
        assertEquals("{\"op\":\"bw\",\"np\":4,\"dev\":\"tcp\",\"bytes\":16777216,\"usec\":2796.203,\"gbps\":6}",
            ResultPrinter.json(big));
        final Samples one = new Samples(4);
        one.reset(1);
        one.add(1_000_000); // 1 ms
        final Measurement shared = Measurement.ofCollective("allreduce", 2, "shm", "shared_memory", 1 << 20, one, 1.0,
            "shared");
        assertEquals("{\"op\":\"allreduce\",\"np\":2,\"dev\":\"shm\",\"algo\":\"shared_memory\",\"bytes\":1048576," +
            "\"usec\":1000,\"algbw_gbps\":1.049,\"busbw_gbps\":1.049,\"buffers\":\"shared\"}", ResultPrinter.json(shared));
    }

    @Test
    void jsonNumbersArePlainDecimals()
    {
        assertEquals("0", ResultPrinter.number(0.0));
        assertEquals("0.14", ResultPrinter.number(0.14));
        assertEquals("5.679", ResultPrinter.number(5.6789));
        assertEquals("36897.648", ResultPrinter.number(36897.6481));
        assertEquals("0.00253", ResultPrinter.number(0.0025316));
        assertEquals("0.0000012", ResultPrinter.number(1.2e-6));
        assertEquals("12000000000", ResultPrinter.number(1.2e10));
        assertThrows(IllegalArgumentException.class, () -> ResultPrinter.number(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> ResultPrinter.number(Double.NaN));
        assertEquals("\"a\\\"b\\\\c\\n\\u0001\"", ResultPrinter.string("a\"b\\c\n\u0001"));
    }

    @Test
    void jsonModePrintsOnlyJsonAndTableModeATitledTable()
    {
        final Measurement m = new Measurement("bw", 2, "shm", 1024, 100, 0.5, 0.4, 0.9);
        final String[] lines = printedTwice(true, m, "title");
        assertEquals(2, lines.length);
        assertEquals(ResultPrinter.json(m), lines[0]);

        final String[] rows = printedTwice(false, m, "bw; np=2, dev=shm");
        assertEquals(4, rows.length);
        assertEquals("# bw; np=2, dev=shm", rows[0]);
        assertTrue(rows[1].startsWith("size") && rows[1].endsWith("GB/s"), rows[1]);
        assertTrue(rows[2].startsWith("1 KiB") && rows[2].trim().endsWith("2.048"), rows[2]);
    }

    /** The lines a printer in JSON or table mode writes for {@code m} printed twice under {@code title}. */
    private static String[] printedTwice(final boolean json, final Measurement m, final String title)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ResultPrinter printer = new ResultPrinter(new PrintStream(out, true, StandardCharsets.UTF_8), json);
        printer.print(m, title);
        printer.print(m, title);
        return out.toString(StandardCharsets.UTF_8).split("\n");
    }

    @Test
    void stampsAndPatternCatchStaleShortAndShiftedPayloads()
    {
        for (final int n : new int[] {1, 2, 7, 8, 9, 15, 16, 17, 32, 4096})
        {
            final UnsafeBuffer sent = Payload.allocate(n);
            Payload.fillPattern(sent, n);
            Payload.stamp(sent, n, 42);
            assertTrue(Payload.hasStamp(sent, n, 42), "n=" + n);
            assertFalse(Payload.hasStamp(sent, n, 43), "n=" + n);
            assertEquals(0, Payload.patternErrors(sent, n), "n=" + n);

            final UnsafeBuffer received = Payload.allocate(n);
            assertFalse(Payload.hasStamp(received, n, 42), "nothing received, n=" + n);
            received.putBytes(0, sent, 0, n);
            assertTrue(Payload.hasStamp(received, n, 42));
            if (n > 1)
            {
                // the tail went missing: the stamp at the end is not there
                Payload.clear(received, n);
                received.putBytes(0, sent, 0, n - 1);
                assertFalse(Payload.hasStamp(received, n, 42), "short payload, n=" + n);
            }
            if (n >= 32)
            {
                // ends right, middle shifted by one byte
                received.putBytes(0, sent, 0, n);
                received.putBytes(9, sent, 8, n - 17);
                assertTrue(Payload.hasStamp(received, n, 42));
                assertTrue(Payload.patternErrors(received, n) > 0, "shifted middle, n=" + n);
            }
        }
        assertEquals(0, Payload.allocate(100).addressOffset() % Payload.ALIGNMENT);
    }

    @Test
    void stampsAreDistinctWithNoZeroByte()
    {
        final java.util.Set<Long> seen = new java.util.HashSet<>();
        for (long k = 0; k < 20_000; k++)
        {
            final long at = k;
            final long v = Payload.stampOf(k);
            assertTrue(seen.add(v), () -> "repeated stamp for k=" + at);
            for (int i = 0; i < Long.BYTES; i++)
            {
                assertTrue(((v >>> (8 * i)) & 0xFF) != 0, () -> "zero byte in the stamp of k=" + at);
            }
            assertTrue((byte)v != (byte)Payload.stampOf(k + 1), () -> "1-byte stamps collide at k=" + at);
        }
        assertTrue(Payload.stampOf((1L << 56) - 1) != Payload.stampOf((1L << 56) - 2));
    }
}
