package dev.ringfold.launch;

import dev.ringfold.mpi.auth.JobSecret;
import dev.ringfold.testsupport.LauncherProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The job's secret goes under $TMPDIR where it is set (as the docs say), else the JVM's temp dir. */
class SecretFileTest
{
    @TempDir
    Path tmp;

    @Test
    void theParentIsTmpdirWhereItIsSet()
    {
        assertEquals(tmp, SecretFile.parentDir(Map.of("TMPDIR", tmp.toString())));
        assertEquals(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath(), SecretFile.parentDir(Map.of()));
        assertEquals(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath(),
            SecretFile.parentDir(Map.of("TMPDIR", " ")));
    }

    @Test
    void eachJobGetsADirectoryOfItsOwnThatOnlyTheUserCanRead() throws Exception
    {
        final JobSecret secret = JobSecret.generate();
        try (SecretFile first = SecretFile.write(tmp, "j1-abcdef", secret);
             SecretFile second = SecretFile.write(tmp, "j1-abcdef", secret))
        {
            assertNotEquals(first.path().getParent(), second.path().getParent());
            assertEquals(PosixFilePermissions.fromString("rwx------"),
                Files.getPosixFilePermissions(first.path().getParent()));
            assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(first.path()));
            assertEquals(secret.toHex() + "\n", Files.readString(first.path()));
            assertTrue(first.path().getParent().getFileName().toString().startsWith("ringfold-j1-abcdef-"));
            first.close();
            assertFalse(Files.exists(first.path().getParent()));
        }
    }

    @Test
    @Timeout(120)
    void ranksFindTheSecretUnderTmpdirAndItIsGoneAfterTheJob() throws Exception
    {
        final Path tmpdir = Files.createDirectory(tmp.resolve("my-tmpdir"));
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exit = MpjRun.run(new String[] {"-np", "2", "--no-tag-output", "-cp", LauncherProcess.testClassPath(),
            SecretPathRank.class.getName()}, tmp, Map.of("TMPDIR", tmpdir.toString()),
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        final String said = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, said + err.toString(StandardCharsets.UTF_8));
        final List<String> lines = said.lines().filter(l -> l.startsWith("secret=")).toList();
        assertEquals(2, lines.size(), said);
        for (final String line : lines)
        {
            assertTrue(line.startsWith("secret=" + tmpdir + "/ringfold-") && line.endsWith(" exists=true"), line);
        }
        try (var left = Files.list(tmpdir))
        {
            assertFalse(left.findAny().isPresent(), "the secret directory is left under " + tmpdir);
        }
    }
}
