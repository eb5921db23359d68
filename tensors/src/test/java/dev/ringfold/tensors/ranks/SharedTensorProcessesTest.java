package dev.ringfold.tensors.ranks;

import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real ranks (bin/mpjrun) sharing tensors through the node-shared allocator. */
class SharedTensorProcessesTest
{
    @Test
    @Timeout(120)
    void twoRanksShareATensorWithoutCopying() throws Exception
    {
        final Mpjrun.Result r = Mpjrun.run(2, "auto", List.of(), 60, SharedTensorRanks.class, "share");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(1, r.count("rank 1 read rank 0's bytes in place"), r::toString);
        assertEquals(1, r.count("rank 0 sees rank 1's writes in its own buffer"), r::toString);
        assertEquals(1, r.count("rank 0: file removed by its last user"), r::toString);
        assertEquals(2, r.count("exchanged 2 slots in place"), r::toString);
        assertEquals(1, r.count("a vanished tensor is reported"), r::toString);
        assertEquals(2, r.count("OK rank"), r::toString);
    }

    @Test
    @Timeout(120)
    void aKilledRanksFilesAreRemoved() throws Exception
    {
        final Mpjrun.Result r = Mpjrun.run(2, "auto", List.of(), 60, SharedTensorRanks.class, "die");
        assertNotEquals(0, r.exitCode(), r::toString);
        final Matcher m = Pattern.compile("JOB (\\S+) FILES (\\d+)").matcher(r.stdout());
        assertTrue(m.find(), r::toString);
        assertEquals("1", m.group(2), "rank 0's tensor existed when it died: " + r);
        final List<Path> left = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(Path.of("/dev/shm"), "ringfold-" + m.group(1) + "-*"))
        {
            s.forEach(left::add);
        }
        left.forEach(p -> p.toFile().delete());
        assertEquals(List.of(), left, "the launcher removes a killed rank's files");
    }
}
