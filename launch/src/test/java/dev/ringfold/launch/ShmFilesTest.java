package dev.ringfold.launch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
final class ShmFilesTest
{
    @TempDir
    Path dir;

    @Test
    void removesTheFilesOfThisJobOnly() throws Exception
    {
        final Path mine = Files.createFile(dir.resolve("ringfold-j12-abcdef-r0"));
        final Path mineTmp = Files.createFile(dir.resolve("ringfold-j12-abcdef-r1.tmp"));
        final Path otherJob = Files.createFile(dir.resolve("ringfold-j12-abcdee-r0"));
        final Path prefixOfMine = Files.createFile(dir.resolve("ringfold-j1-abcdef-r0"));
        final Path unrelated = Files.createFile(dir.resolve("something-else"));

        assertEquals(2, ShmFiles.removeLeftovers(dir, "j12-abcdef"));
        assertFalse(Files.exists(mine));
        assertFalse(Files.exists(mineTmp));
        assertTrue(Files.exists(otherJob));
        assertTrue(Files.exists(prefixOfMine));
        assertTrue(Files.exists(unrelated));
    }

    @Test
    void aMissingDirectoryIsNothingToDo()
    {
        assertEquals(0, ShmFiles.removeLeftovers(dir.resolve("absent"), "j1-000000"));
    }
}
