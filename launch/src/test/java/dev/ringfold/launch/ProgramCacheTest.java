package dev.ringfold.launch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --aot-cache's decisions: record (rank 0 alone, into a file of its own), use (every rank), or neither with a
 * reason; and what the end of a job does with a recording. MpjExpressDifferentialTest runs it across processes.
 */
class ProgramCacheTest
{
    private static final FileTime MADE = FileTime.fromMillis(1_000_000_000_000L);

    @TempDir
    Path dir;

    @Test
    void aMissingCacheIsRecordedByRankZeroAndKeptWhenTheJobWentWell() throws Exception
    {
        final Path lib = lib();
        final Path program = jar("program.jar", -5_000);
        final Path cache = dir.resolve("program.aot");
        final ProgramCache recording = ProgramCache.of(cache, classPath(lib, program.toString()));
        assertTrue(recording.records());
        assertNull(recording.unusable());
        final List<String> rank0 = recording.rankOptions(0);
        assertTrue(rank0.getFirst().startsWith("-XX:AOTCacheOutput=" + cache + ".recording-"), rank0.toString());
        assertNull(recording.rankOptions(1), "the other ranks start as without the option");

        // rank 0 wrote its recording at its exit; the job ended with 0
        final Path written = Path.of(rank0.getFirst().substring("-XX:AOTCacheOutput=".length()));
        Files.writeString(written, "cache");
        assertTrue(recording.jobEnded(0).contains("recorded the AOT cache " + cache));
        assertFalse(Files.exists(written));
        assertEquals("cache", Files.readString(cache));

        final ProgramCache using = ProgramCache.of(cache, classPath(lib, program.toString()));
        assertFalse(using.records());
        for (final int rank : new int[]{0, 1, 7})
        {
            assertEquals(List.of("-XX:AOTCache=" + cache, "-Xlog:aot=off", "-Xlog:cds=off"), using.rankOptions(rank));
        }
        assertNull(using.jobEnded(0));
    }

    @Test
    void aFailedJobLeavesTheCacheAsItWas() throws Exception
    {
        final Path program = jar("program.jar", -5_000);
        final Path cache = dir.resolve("program.aot");
        final ProgramCache recording = ProgramCache.of(cache, classPath(lib(), program.toString()));
        final Path written = Path.of(recording.rankOptions(0).getFirst().substring("-XX:AOTCacheOutput=".length()));
        Files.writeString(written, "half");
        assertNull(recording.jobEnded(3));
        assertFalse(Files.exists(written));
        assertFalse(Files.exists(cache));

        // mpjrun told to stop: whatever rank 0 wrote goes, the JDK's configuration file beside it too
        Files.writeString(written, "half");
        final Path config = Files.writeString(written.resolveSibling(written.getFileName() + ".config"), "config");
        recording.discard();
        assertFalse(Files.exists(written));
        assertFalse(Files.exists(config));
        assertFalse(Files.exists(cache));
    }

    @Test
    void aJarNewerThanTheCacheMakesTheNextRunRecordAgain() throws Exception
    {
        final Path lib = lib();
        final Path program = jar("program.jar", -5_000);
        final Path cache = Files.writeString(dir.resolve("program.aot"), "cache");
        Files.setLastModifiedTime(cache, MADE);
        assertFalse(ProgramCache.of(cache, classPath(lib, program.toString())).records());

        Files.setLastModifiedTime(program, FileTime.fromMillis(MADE.toMillis() + 5_000)); // the program rebuilt
        assertTrue(ProgramCache.of(cache, classPath(lib, program.toString())).records());

        Files.setLastModifiedTime(program, MADE);
        Files.setLastModifiedTime(lib.resolve("api/ringfold-mpj.jar"), FileTime.fromMillis(MADE.toMillis() + 5_000));
        assertTrue(ProgramCache.of(cache, classPath(lib, program.toString())).records(), "the mpi API rebuilt");

        Files.setLastModifiedTime(lib.resolve("api/ringfold-mpj.jar"), MADE);
        assertFalse(ProgramCache.of(cache, classPath(lib, program.toString())).records());
        Files.setLastModifiedTime(lib.resolve("ringfold-mpi.jar"), FileTime.fromMillis(MADE.toMillis() + 5_000));
        assertTrue(ProgramCache.of(cache, classPath(lib, program.toString())).records(), "the runtime rebuilt");
    }

    @Test
    void aFolderOnTheClassPathIsNamedAndTheJobRunsWithoutTheCache() throws Exception
    {
        final Path classes = Files.createDirectories(dir.resolve("classes/app"));
        Files.writeString(classes.resolve("Main.class"), "x");
        final Path empty = Files.createDirectories(dir.resolve("empty"));
        final Path cache = dir.resolve("program.aot");

        final ProgramCache withFolder = ProgramCache.of(cache, classPath(lib(), dir.resolve("classes").toString()));
        assertTrue(withFolder.unusable().contains("folder " + dir.resolve("classes")), withFolder.unusable());
        assertFalse(withFolder.records());
        assertNull(withFolder.rankOptions(0));
        assertNull(withFolder.jobEnded(0));

        // an empty folder holds nothing to record: the JDK accepts it
        assertNull(ProgramCache.of(cache, classPath(lib(), empty.toString(), jar("p.jar", 0).toString())).unusable());
    }

    /** The ranks' class path: Ringfold's folder of jars, the mpi API jar, then the program's entries. */
    private static List<String> classPath(final Path lib, final String... program)
    {
        final List<String> entries = new java.util.ArrayList<>(List.of(lib + java.io.File.separator + "*",
            lib.resolve("api/ringfold-mpj.jar").toString()));
        entries.addAll(List.of(program));
        return entries;
    }

    private Path lib() throws Exception
    {
        final Path lib = dir.resolve("lib");
        if (!Files.isDirectory(lib))
        {
            Files.createDirectories(lib.resolve("api"));
            Files.setLastModifiedTime(Files.writeString(lib.resolve("ringfold-mpi.jar"), "jar"),
                FileTime.fromMillis(MADE.toMillis() - 5_000));
            Files.setLastModifiedTime(Files.writeString(lib.resolve("api/ringfold-mpj.jar"), "jar"),
                FileTime.fromMillis(MADE.toMillis() - 5_000));
        }
        return lib;
    }

    private Path jar(final String name, final long relativeToMade) throws Exception
    {
        final Path jar = Files.writeString(dir.resolve(name), "jar");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(MADE.toMillis() + relativeToMade));
        return jar;
    }
}
