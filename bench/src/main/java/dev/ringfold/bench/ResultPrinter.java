package dev.ringfold.bench;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * Writes measurements to stdout: a human table by default, or with {@code --json} exactly one JSON object per
 * line and nothing else, {@code {"op":"latency","np":2,"dev":"shm","bytes":8,"usec":0.14,"gbps":0.057}}.
 */
public final class ResultPrinter
{
    private final PrintStream out;
    private final boolean json;
    private boolean headerDone;

    public ResultPrinter(final PrintStream out, final boolean json)
    {
        this.out = out;
        this.json = json;
    }

    /** Prints one row (and, in table mode, the title and column heads before the first). */
    public void print(final Measurement m, final String title)
    {
        if (json)
        {
            out.println(json(m));
        }
        else
        {
            if (!headerDone)
            {
                headerDone = true;
                out.println("# " + title);
                if (m.isCollective())
                {
                    out.printf(Locale.ROOT, "%-10s %-20s %8s %12s %12s %12s %10s %10s%n",
                        "size", "algo", "iters", "usec", "min usec", "p99 usec", "algbw", "busbw");
                }
                else
                {
                    out.printf(Locale.ROOT, "%-10s %8s %12s %12s %12s %10s%n",
                        "size", "iters", "usec", "min usec", "p99 usec", "GB/s");
                }
            }
            out.println(tableRow(m));
        }
        out.flush();
    }

    /** In table mode, a line before a long run (a soak), so that its seed is known even if it never ends. */
    public void announce(final String line)
    {
        if (!json)
        {
            out.println(line);
            out.flush();
        }
    }

    /** Prints a soak run's report: one JSON line, or the lines of {@link SoakReport#table()}. */
    public void print(final SoakReport report)
    {
        out.print(json ? report.json() + System.lineSeparator() : report.table());
        out.flush();
    }

    /** The JSON line of one measurement. */
    public static String json(final Measurement m)
    {
        if (m.isCompute())
        {
            return "{\"op\":" + string(m.op()) + ",\"n\":" + m.bytes() + ",\"usec\":" + number(m.usec()) +
                ",\"gflops\":" + number(m.gflops()) + "}";
        }
        if (m.isCollective())
        {
            return "{\"op\":" + string(m.op()) + ",\"np\":" + m.np() + ",\"dev\":" + string(m.dev()) +
                ",\"algo\":" + string(m.algo()) + ",\"bytes\":" + m.bytes() + ",\"usec\":" + number(m.usec()) +
                ",\"algbw_gbps\":" + number(m.gbps()) + ",\"busbw_gbps\":" + number(m.busGbps()) +
                (m.buffers() == null ? "" : ",\"buffers\":" + string(m.buffers())) + "}";
        }
        return "{\"op\":" + string(m.op()) + ",\"np\":" + m.np() + ",\"dev\":" + string(m.dev()) +
            ",\"bytes\":" + m.bytes() + ",\"usec\":" + number(m.usec()) + ",\"gbps\":" + number(m.gbps()) + "}";
    }

    /** The table row of one measurement: size, iterations, median, min and p99 microseconds, GB/s at the median. */
    public static String tableRow(final Measurement m)
    {
        if (m.isCompute())
        {
            return String.format(Locale.ROOT, "%-10s %8d %12.3f %12.3f %12s %10.1f GFLOP/s (%s)",
                "n=" + m.bytes(), m.iters(), m.usec(), m.minUsec(), "-", m.gflops(), m.op());
        }
        if (m.isCollective())
        {
            return String.format(Locale.ROOT, "%-10s %-20s %8d %12.3f %12.3f %12.3f %10.3f %10.3f",
                Sizes.label(m.bytes()), m.algo(), m.iters(), m.usec(), m.minUsec(), m.p99Usec(), m.gbps(), m.busGbps());
        }
        final String row = String.format(Locale.ROOT, "%-10s %8d %12.3f %12.3f %12.3f %10.3f",
            Sizes.label(m.bytes()), m.iters(), m.usec(), m.minUsec(), m.p99Usec(), m.gbps());
        return m.op().equals("latency") || m.op().equals("bw") ? row : row + " (" + m.op() + ")";
    }

    /**
     * A JSON number without exponent: three decimals from 0.1 up, three significant digits below, so that small
     * values (a few MB/s as GB/s) keep their digits. Not-finite values have no JSON form and are refused.
     */
    static String number(final double v)
    {
        if (!Double.isFinite(v))
        {
            throw new IllegalArgumentException("not a finite number: " + v);
        }
        if (v == 0.0)
        {
            return "0";
        }
        BigDecimal d = new BigDecimal(v);
        d = Math.abs(v) >= 0.1 ? d.setScale(3, RoundingMode.HALF_EVEN) : d.round(new MathContext(3, RoundingMode.HALF_EVEN));
        final String s = d.stripTrailingZeros().toPlainString();
        return s.equals("-0") ? "0" : s;
    }

    static String string(final String s)
    {
        final StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
                    }
                    else
                    {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
