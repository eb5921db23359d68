package dev.ringfold.launch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(30)
final class LinePumpTest
{
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Console console = new Console(out, err);

    @Test
    void prefixesEveryLineAndEndsAnUnfinishedLastOne()
    {
        new LinePump(bytes("one\n\nthree\nfour"), "[2] ", console, false).run();
        assertEquals("[2] one\n[2] \n[2] three\n[2] four\n", out.toString(StandardCharsets.UTF_8));
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void linesFromTwoStreamsArriveWholeWhateverTheChunking() throws Exception
    {
        // each read returns a few bytes, so lines arrive in pieces at the same time from both pumps
        final Thread a = Thread.ofPlatform().start(new LinePump(trickle(lines("a", 2000)), "[0] ", console, true));
        final Thread b = Thread.ofPlatform().start(new LinePump(trickle(lines("b", 2000)), "[1] ", console, true));
        a.join();
        b.join();
        final List<String> got = err.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(4000, got.size());
        int nextA = 0;
        int nextB = 0;
        for (final String line : got)
        {
            if (line.startsWith("[0] "))
            {
                assertEquals("[0] a line " + nextA++ + " end", line);
            }
            else
            {
                assertEquals("[1] b line " + nextB++ + " end", line);
            }
        }
    }

    @Test
    void aRunawayLineIsCutRatherThanBufferedForever()
    {
        final String huge = "x".repeat(LinePump.MAX_LINE + 10);
        new LinePump(bytes(huge + "\n"), "", console, false).run();
        final List<String> got = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, got.size());
        assertEquals(huge, got.get(0) + got.get(1));
    }

    private static String lines(final String name, final int count)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            sb.append(name).append(" line ").append(i).append(" end\n");
        }
        return sb.toString();
    }

    private static InputStream bytes(final String text)
    {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private static InputStream trickle(final String text)
    {
        return new InputStream()
        {
            private final byte[] data = text.getBytes(StandardCharsets.UTF_8);
            private int at;

            @Override
            public int read()
            {
                return at < data.length ? data[at++] & 0xFF : -1;
            }

            @Override
            public int read(final byte[] b, final int off, final int len) throws IOException
            {
                if (at >= data.length)
                {
                    return -1;
                }
                final int n = Math.min(Math.min(len, 7), data.length - at);
                System.arraycopy(data, at, b, off, n);
                at += n;
                Thread.yield();
                return n;
            }
        };
    }
}
