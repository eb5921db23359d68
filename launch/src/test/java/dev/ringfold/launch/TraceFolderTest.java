package dev.ringfold.launch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceFolderTest
{
    @Test
    void timesAreCountedFromTheEarliestEventExactly(@TempDir final Path dir) throws Exception
    {
        // an epoch in microseconds as a double keeps only 0.25 µs: x.922 used to round up to x+1, and the earliest
        // event came out at a negative time
        final Path target = dir.resolve("job.json");
        TraceFolder.merge(List.of(
            "{\"name\":\"a\",\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":1795759339886543.100,\"dur\":1.000}",
            "{\"name\":\"b\",\"ph\":\"X\",\"pid\":0,\"tid\":1,\"ts\":1795759339886542.922,\"dur\":2.000}"), target);
        final String json = Files.readString(target);
        assertTrue(json.contains("\"ts\":0.922,"), json);
        assertTrue(json.contains("\"ts\":1.100,"), json);
    }
}
