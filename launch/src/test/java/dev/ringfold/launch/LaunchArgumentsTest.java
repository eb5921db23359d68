package dev.ringfold.launch;

import dev.ringfold.mpi.JvmFlags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
final class LaunchArgumentsTest
{
    private static final Path CWD = Path.of("/home/user/project");

    @TempDir
    Path tmp;

    @Test
    void readsEveryOptionAndLeavesTheRestToTheProgram() throws Exception
    {
        final LaunchOptions o = parse("-np", "4", "-dev", "SHM", "-cp", "classes:lib/*:/abs/x.jar", "-wdir", tmp.toString(),
            "-Xmx1g", "-Dk=v", "-ea", "--add-opens=java.base/java.lang=ALL-UNNAMED", "--timeout", "1.5",
            "--no-tag-output", "--env", "A=1", "--env=B=x=y", "--dry-run", "app.Main", "-np", "9", "--timeout");
        assertEquals(4, o.np());
        assertEquals("shm", o.device());
        assertEquals(List.of("/home/user/project/classes", "/home/user/project/lib/*", "/abs/x.jar"), o.userClassPath());
        assertEquals(tmp, o.workDir());
        // app.Main is nowhere to read, so it might reach the kernels: the Vector API module comes first
        assertEquals(List.of(JvmFlags.VECTOR_API, "-Xmx1g", "-Dk=v", "-ea",
            "--add-opens=java.base/java.lang=ALL-UNNAMED"), o.jvmOptions());
        assertEquals(1500, o.timeoutMs());
        assertFalse(o.tagOutput());
        assertEquals(Map.of("A", "1", "B", "x=y"), o.extraEnv());
        assertTrue(o.dryRun());
        assertEquals("app.Main", o.mainClass());
        assertEquals(List.of("-np", "9", "--timeout"), o.programArgs());
    }

    @Test
    void defaultsAreAutoDeviceTaggedOutputNoTimeoutAndTheCurrentDirectory() throws Exception
    {
        final LaunchOptions o = parse("-np", "1", "Main");
        assertEquals("auto", o.device());
        assertTrue(o.tagOutput());
        assertEquals(0, o.timeoutMs());
        assertNull(o.workDir());
        assertEquals(List.of(CWD.toString()), o.userClassPath());
        assertEquals(List.of(), o.programArgs());
        assertFalse(o.dryRun());
    }

    @Test
    void jarSuppliesTheMainClassAndEndsTheOptions() throws Exception
    {
        final Path jar = jar("app.Main");
        final LaunchOptions o = parse("-np", "2", "-Xss2m", "-jar", jar.toString(), "-np", "x", "--bogus");
        assertEquals("app.Main", o.mainClass());
        assertEquals(List.of(jar.toString()), o.userClassPath());
        // the jar holds a manifest and no class to read
        assertEquals(List.of(JvmFlags.VECTOR_API, "-Xss2m"), o.jvmOptions());
        assertEquals(List.of("-np", "x", "--bogus"), o.programArgs());
    }

    @Test
    void jarComesBeforeAnExplicitClassPath() throws Exception
    {
        final Path jar = jar("app.Main");
        final LaunchOptions o = parse("-np", "2", "-cp", "extra", "-jar", jar.toString());
        assertEquals(List.of(jar.toString(), CWD.resolve("extra").toString()), o.userClassPath());
    }

    @Test
    void acceptsMpjExpressDevicesAndProtocolSwitchLimit() throws Exception
    {
        assertEquals("shm", parse("-np", "2", "-dev", "multicore", "Main").device());
        assertEquals("tcp", parse("-np", "2", "-dev", "niodev", "-psl", "65536", "Main").device());
        final LaunchOptions hybrid = parse("-np", "2", "-dev", "hybdev", "-psl", "128000", "Main", "-psl");
        assertEquals("auto", hybrid.device());
        assertEquals("Main", hybrid.mainClass());
        assertEquals(java.util.List.of("-psl"), hybrid.programArgs());
    }

    @Test
    void rejectsBadInputWithAMessageNamingTheProblem() throws Exception
    {
        final Path noMain = jar(null);
        assertRejected("missing -np", "Main");
        assertRejected("positive whole number, not '0'", "-np", "0", "Main");
        assertRejected("positive whole number, not '-3'", "-np", "-3", "Main");
        assertRejected("positive whole number, not 'four'", "-np", "four", "Main");
        assertRejected("missing value after -np", "-np");
        assertRejected("unknown -dev 'ib'", "-np", "2", "-dev", "ib", "Main");
        assertRejected("-psl needs a positive whole number, not 'big'", "-np", "2", "-psl", "big", "Main");
        assertRejected("no main class", "-np", "2");
        assertRejected("no main class", "-np", "2", "-Xmx1g");
        assertRejected("no Main-Class", "-np", "2", "-jar", noMain.toString());
        assertRejected("no such file", "-np", "2", "-jar", tmp.resolve("missing.jar").toString());
        assertRejected("unknown option --verbose-launch", "-np", "2", "--verbose-launch", "Main");
        assertRejected("cannot read the machines file", "-np", "2", "-machinesfile", "no-such-hosts", "Main");
        assertRejected("unknown option -hosts (list the hosts in a file and use -machinesfile FILE)", "-np", "2",
            "-hosts", "a,b", "Main");
        assertRejected("--add-opens=VALUE", "-np", "2", "--add-opens", "java.base/java.lang=ALL-UNNAMED", "Main");
        assertRejected("--dry-run takes no value", "-np", "2", "--dry-run=yes", "Main");
        assertRejected("--timeout needs a positive number", "-np", "2", "--timeout", "0", "Main");
        assertRejected("--timeout needs a positive number", "-np", "2", "--timeout", "soon", "Main");
        assertRejected("--env needs NAME=VALUE", "-np", "2", "--env", "NOVALUE", "Main");
        assertRejected("--env needs NAME=VALUE", "-np", "2", "--env", "1X=2", "Main");
        assertRejected("RINGFOLD_RANK is set by mpjrun", "-np", "2", "--env", "RINGFOLD_RANK=5", "Main");
        assertRejected("--env RINGFOLD_SECRET is set by mpjrun itself (a fresh secret for every job)", "-np", "2",
            "--env", "RINGFOLD_SECRET=00112233445566778899aabbccddeeff", "Main");
        assertRejected("is not a directory", "-np", "2", "-wdir", tmp.resolve("nowhere").toString(), "Main");
        assertRejected("--max-restarts needs a whole number >= 0, not '-1'", "-np", "2", "--max-restarts", "-1", "Main");
        assertRejected("--max-restarts needs a whole number >= 0, not 'many'", "-np", "2", "--max-restarts=many",
            "Main");
        assertRejected("missing value after --trace", "-np", "2", "--trace");
        assertRejected("--elastic needs MIN:MAX", "-np", "2", "--elastic", "2", "Main");
        assertRejected("--elastic 3:2: MAX must be at least MIN", "-np", "2", "--elastic", "3:2", "Main");
        assertRejected("--elastic 3:4 with -np 2: start between MIN and MAX ranks", "-np", "2", "--elastic=3:4",
            "Main");
        assertRejected("--elastic with -dev native", "-np", "2", "-dev", "native", "--elastic", "1:2", "Main");
        assertRejected("--max-replacements 2 needs --elastic MIN:MAX", "-np", "2", "--max-replacements", "2", "Main");
        assertRejected("--max-replacements needs a whole number >= 0, not '-1'", "-np", "2", "--elastic", "1:2",
            "--max-replacements=-1", "Main");
        assertRejected("--env RINGFOLD_INCARNATION is set by mpjrun itself", "-np", "2", "--env",
            "RINGFOLD_INCARNATION=1", "Main");
        assertRejected("--env RINGFOLD_RESTART is set by mpjrun itself", "-np", "2", "--env", "RINGFOLD_RESTART=3",
            "Main");
    }

    @Test
    void readsTraceAndRestartOptions() throws Exception
    {
        final LaunchOptions o = parse("-np", "2", "--trace", "out/job.json", "--max-restarts", "3", "Main");
        assertEquals(CWD.resolve("out/job.json"), o.traceFile());
        assertEquals(3, o.maxRestarts());
        final LaunchOptions plain = parse("-np", "2", "Main");
        assertNull(plain.traceFile());
        assertEquals(0, plain.maxRestarts());
        assertEquals(0, plain.elasticMin());
        final LaunchOptions elastic = parse("-np", "3", "--elastic", "2:4", "Main");
        assertEquals(2, elastic.elasticMin());
        assertEquals(4, elastic.elasticMax());
        assertEquals(0, elastic.maxReplacements());
        assertEquals(3, parse("-np", "3", "--elastic", "2:4", "--max-replacements", "3", "Main").maxReplacements());
        assertEquals("2", plain.withEnv(java.util.Map.of(RankCommands.RESTART_VARIABLE, "2")).extraEnv()
            .get(RankCommands.RESTART_VARIABLE));
    }

    @Test
    void helpIsOnlyMpjrunsBeforeTheProgram()
    {
        assertTrue(LaunchArguments.wantsHelp(new String[] {"--help"}));
        assertTrue(LaunchArguments.wantsHelp(new String[] {"-np", "2", "-h"}));
        assertFalse(LaunchArguments.wantsHelp(new String[] {"-np", "2", "Main", "--help"}));
        assertFalse(LaunchArguments.wantsHelp(new String[] {"-np", "2", "-jar", "app.jar", "-h"}));
    }

    private static LaunchOptions parse(final String... args) throws UsageException
    {
        return LaunchArguments.parse(args, CWD);
    }

    private void assertRejected(final String expectedInMessage, final String... args)
    {
        final UsageException ex = assertThrows(UsageException.class, () -> LaunchArguments.parse(args, tmp),
            String.join(" ", args));
        assertTrue(ex.getMessage().contains(expectedInMessage),
            "'" + ex.getMessage() + "' should mention '" + expectedInMessage + "'");
    }

    private Path jar(final String mainClass) throws IOException
    {
        final Path jar = Files.createTempFile(tmp, "app", ".jar");
        final Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (mainClass != null)
        {
            manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
        }
        try (OutputStream file = Files.newOutputStream(jar))
        {
            new JarOutputStream(file, manifest).close(); // the manifest is all that matters here
        }
        return jar;
    }
}
