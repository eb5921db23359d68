package dev.ringfold.launch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rank's AOT cache is used only while it is newer than every jar of the folder: JDK 25 would run a stale cache's
 * old classes from a rebuilt jar.
 */
class ClassDataSharingTest
{
    @Test
    void aCacheIsUsedOnlyWhileNoJarIsNewer(@TempDir final Path lib) throws Exception
    {
        final Path api = Files.createDirectory(lib.resolve("api"));
        final Path mpi = Files.writeString(lib.resolve("ringfold-mpi.jar"), "jar");
        final Path mpj = Files.writeString(api.resolve("ringfold-mpj.jar"), "jar");
        final Path cache = Files.writeString(lib.resolve(ClassDataSharing.CACHE), "cache");
        final FileTime made = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(cache, made);
        Files.setLastModifiedTime(mpi, FileTime.fromMillis(made.toMillis() - 5_000));
        Files.setLastModifiedTime(mpj, FileTime.fromMillis(made.toMillis() - 5_000));
        assertTrue(ClassDataSharing.current(cache, lib));
        assertEquals(List.of("-XX:AOTCache=" + cache, "-Xlog:aot=off", "-Xlog:cds=off"),
            ClassDataSharing.rankOptions(lib, 1, List.of(), false));

        // a job that talks TCP has a cache of its own, which does not exist here
        assertEquals(List.of(), ClassDataSharing.rankOptions(lib, 1, List.of(), true));
        final Path tcpCache = Files.writeString(lib.resolve(ClassDataSharing.TCP_CACHE), "cache");
        Files.setLastModifiedTime(tcpCache, made);
        assertEquals(List.of("-XX:AOTCache=" + tcpCache, "-Xlog:aot=off", "-Xlog:cds=off"),
            ClassDataSharing.rankOptions(lib, 1, List.of(), true));

        Files.setLastModifiedTime(mpj, FileTime.fromMillis(made.toMillis() + 5_000)); // the API jar rebuilt
        assertFalse(ClassDataSharing.current(cache, lib));
        assertEquals(List.of(), ClassDataSharing.rankOptions(lib, 1, List.of(), false));

        Files.setLastModifiedTime(mpj, made);
        Files.setLastModifiedTime(mpi, FileTime.fromMillis(made.toMillis() + 1)); // a runtime jar rebuilt
        assertFalse(ClassDataSharing.current(cache, lib));

        Files.delete(cache);
        assertFalse(ClassDataSharing.current(cache, lib));
    }
}
