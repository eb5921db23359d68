package dev.ringfold.mpi.auth;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RejectLogTest
{
    @Test
    void printsOneLinePerRejectionUpToTheWindowLimit()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final RejectLog log = new RejectLog(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        for (int i = 0; i < 100; i++)
        {
            log.reject("rank 1 TCP", "/127.0.0.1:" + (40000 + i), "wrong secret (its proof does not match)");
        }
        final String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(RejectLog.LINES_PER_WINDOW, lines.length);
        assertEquals("ringfold: rank 1 TCP: rejected connection from /127.0.0.1:40000: wrong secret (its proof does" +
            " not match)", lines[0]);
    }
}
