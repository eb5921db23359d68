package dev.ringfold.launch;

import dev.ringfold.testsupport.LauncherProcess;
import dev.ringfold.testsupport.Processes;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.classfile.ClassFile;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** mpjrun with real rank processes: each test starts a launcher JVM, which starts the ranks. */
@Timeout(90)
final class MpjRunProcessTest
{
    private static final String JVM_WARNING = "WARNING: Using incubator modules";

    @TempDir
    Path tmp;

    @Test
    void ranksGetTheirEnvironmentAndTheirOutputIsTagged() throws Exception
    {
        final Path work = Files.createDirectory(tmp.resolve("work"));
        try (LauncherProcess mpjrun = LauncherProcess.start(tmp, List.of(), "-np", "3", "-dev", "tcp",
            "-wdir", work.toString(), "--env", "FOO=bar baz", "-cp", LauncherProcess.TEST_CLASSES.toString(),
            EchoRank.class.getName(), "a b", "c"))
        {
            assertEquals(0, mpjrun.waitFor(60), mpjrun.stderrText());
            final List<String> out = mpjrun.stdoutLines();
            final Pattern details = Pattern.compile(
                "^\\[(\\d)] job=(j\\d+-[0-9a-f]{6}) rendezvous=127\\.0\\.0\\.1:(\\d+) dev=tcp local=(\\d) " +
                "FOO=bar baz cwd=(.*) args=a b\\|c$");
            final Set<String> jobs = new HashSet<>();
            final Set<String> ports = new HashSet<>();
            for (int rank = 0; rank < 3; rank++)
            {
                assertTrue(out.contains("[" + rank + "] hello from " + rank + " of 3"), out.toString());
                assertTrue(mpjrun.stderrLines().contains("[" + rank + "] stderr of " + rank), mpjrun.stderrText());
            }
            int detailLines = 0;
            for (final String line : out)
            {
                final Matcher m = details.matcher(line);
                if (m.matches())
                {
                    detailLines++;
                    assertEquals(m.group(1), m.group(4), "local rank = rank on one node: " + line);
                    assertEquals(work.toString(), m.group(5));
                    jobs.add(m.group(2));
                    ports.add(m.group(3));
                }
            }
            assertEquals(3, detailLines, out.toString());
            assertEquals(1, jobs.size(), "one job id for all ranks: " + jobs);
            assertEquals(1, ports.size(), "one rendezvous for all ranks: " + ports);
            assertEquals(List.of(), mpjrunMessages(mpjrun), "a job that went well says nothing");
        }
    }

    @Test
    void ranksGetTheVectorApiModuleOnlyWhenTheirProgramCanReachIt() throws Exception
    {
        try (LauncherProcess mpjrun = LauncherProcess.start(tmp, List.of(), "-np", "2", "-cp",
            LauncherProcess.TEST_CLASSES.toString(), VectorApiRank.class.getName()))
        {
            assertEquals(0, mpjrun.waitFor(60), mpjrun.stderrText());
            assertTrue(mpjrun.stdoutLines().containsAll(List.of("[0] vector api false", "[1] vector api false")),
                mpjrun.stdoutLines().toString());
            assertFalse(mpjrun.stderrText().contains(JVM_WARNING), mpjrun.stderrText());
        }
        // asked for on the command line (a program that loads the kernels by reflection), it is passed on
        try (LauncherProcess mpjrun = LauncherProcess.start(tmp, List.of(), "-np", "2", "-cp",
            LauncherProcess.TEST_CLASSES.toString(), "--add-modules=jdk.incubator.vector",
            VectorApiRank.class.getName()))
        {
            assertEquals(0, mpjrun.waitFor(60), mpjrun.stderrText());
            assertTrue(mpjrun.stdoutLines().containsAll(List.of("[0] vector api true", "[1] vector api true")),
                mpjrun.stdoutLines().toString());
        }
    }

    @Test
    void noTagOutputPassesLinesUnchanged() throws Exception
    {
        try (LauncherProcess mpjrun = LauncherProcess.start(tmp, List.of(), "-np", "2", "--no-tag-output",
            "-cp", LauncherProcess.TEST_CLASSES.toString(), EchoRank.class.getName()))
        {
            assertEquals(0, mpjrun.waitFor(60), mpjrun.stderrText());
            final List<String> out = mpjrun.stdoutLines();
            assertTrue(out.contains("hello from 0 of 2"), out.toString());
            assertTrue(out.contains("hello from 1 of 2"), out.toString());
            assertTrue(out.stream().noneMatch(line -> line.startsWith("[")), out.toString());
        }
    }

    @Test
    void linesOfDifferentRanksNeverMix() throws Exception
    {
        try (LauncherProcess mpjrun = LauncherProcess.start(tmp, List.of(), "-np", "3",
            "-cp", LauncherProcess.TEST_CLASSES.toString(), ChattyRank.class.getName()))
        {
            assertEquals(0, mpjrun.waitFor(60), mpjrun.stderrText());
            final Pattern line = Pattern.compile("^\\[(\\d)] rank (\\d) line (\\d+) " + ChattyRank.FILL + "$");
            final Map<String, Integer> counts = new HashMap<>();
            for (final List<String> stream : List.of(mpjrun.stdoutLines(), mpjrun.stderrLines()))
            {
                for (final String text : stream)
                {
                    if (text.matches("^\\[\\d] " + JVM_WARNING + ".*") ||
                        text.matches("^\\[(\\d)] last line of \\1 without newline$"))
                    {
                        continue;
                    }
                    final Matcher m = line.matcher(text);
                    assertTrue(m.matches(), "mixed or untagged line: " + text);
                    assertEquals(m.group(1), m.group(2), text);
                    counts.merge(m.group(1), 1, Integer::sum);
                }
            }
            for (int rank = 0; rank < 3; rank++)
            {
                assertEquals(ChattyRank.LINES, counts.get(Integer.toString(rank)), "lines of rank " + rank);
                assertTrue(mpjrun.stdoutLines().contains("[" + rank + "] last line of " + rank + " without newline"));
            }
        }
    }

    @Test
    void aFailingRankStopsTheOthersAndSetsTheExitCode() throws Exception
    {
        try (LauncherProcess mpjrun = LauncherProcess.start(tmp, List.of(), "-np", "3", "--env", ready(),
            "-cp", LauncherProcess.TEST_CLASSES.toString(), FailingRank.class.getName()))
        {
            assertEquals(3, mpjrun.waitFor(60), mpjrun.stderrText());
            final Map<Integer, Long> pids = mpjrun.awaitPids(3, 0);
            assertEquals(Set.of(0, 1, 2), pids.keySet(), mpjrun.stdoutLines().toString());
            final List<String> messages = mpjrunMessages(mpjrun);
            assertEquals("mpjrun: rank 1 (pid " + pids.get(1) + ") exited with code 3", messages.getFirst(),
                messages.toString());
            assertTrue(messages.contains("mpjrun: rank 0 (pid " + pids.get(0) + ") stopped by mpjrun"), messages.toString());
            assertTrue(messages.contains("mpjrun: rank 2 (pid " + pids.get(2) + ") stopped by mpjrun"), messages.toString());
            final List<Long> mustBeGone = new ArrayList<>(pids.values());
            mustBeGone.add(childPid(mpjrun));
            assertEquals(List.of(), Processes.stillRunningAfter(mustBeGone, 5), "ranks or their children left running");
        }
    }

    @Test
    void aRankKilledBySignalIsReportedAsSuch() throws Exception
    {
        try (LauncherProcess mpjrun = LauncherProcess.start(tmp, List.of(), "-np", "3", "--env", ready(),
            "-cp", LauncherProcess.TEST_CLASSES.toString(), SelfKillingRank.class.getName()))
        {
            assertEquals(128 + 9, mpjrun.waitFor(60), mpjrun.stderrText());
            final Map<Integer, Long> pids = mpjrun.awaitPids(3, 0);
            final List<String> messages = mpjrunMessages(mpjrun);
            assertEquals("mpjrun: rank 1 (pid " + pids.get(1) + ") was killed by signal 9 (SIGKILL)",
                messages.getFirst(), messages.toString());
            assertEquals(List.of(), Processes.stillRunningAfter(new ArrayList<>(pids.values()), 5));
        }
    }

    @Test
    void elasticJobsGoOnWithoutADeadRankAndExitWithTheSurvivorsStatus() throws Exception
    {
        // 3 ranks, --elastic 2:3: rank 2 dies, the two others go on and end with status 0, then 3
        for (final int status : new int[] {0, 3})
        {
            try (LauncherProcess mpjrun = LauncherProcess.start(tmp, List.of(), "-np", "3", "--elastic", "2:3",
                "-cp", LauncherProcess.TEST_CLASSES.toString(), ElasticRank.class.getName(), Integer.toString(status)))
            {
                assertEquals(status, mpjrun.waitFor(60), mpjrun.stderrText());
                final List<String> messages = mpjrunMessages(mpjrun);
                assertTrue(messages.getFirst().matches("mpjrun: rank 2 \\(pid \\d+\\) was killed by signal 9 " +
                    "\\(SIGKILL\\); 2 ranks go on \\(--elastic, at least 2\\)"), messages.toString());
                assertTrue(mpjrun.stdoutLines().contains("[0] rank 0 saw: PeerFailedException"),
                    mpjrun.stdoutLines().toString());
            }
        }
        // --elastic 3:3: the death leaves fewer than MIN, the job stops as without --elastic
        try (LauncherProcess mpjrun = LauncherProcess.start(tmp, List.of(), "-np", "3", "--elastic", "3:3",
            "-cp", LauncherProcess.TEST_CLASSES.toString(), ElasticRank.class.getName(), "0"))
        {
            assertEquals(128 + 9, mpjrun.waitFor(60), mpjrun.stderrText());
            assertTrue(mpjrunMessages(mpjrun).getFirst().matches("mpjrun: rank 2 \\(pid \\d+\\) was killed by " +
                "signal 9 \\(SIGKILL\\)"), mpjrun.stderrText());
        }
    }

    @Test
    @Timeout(150)
    void timeoutStopsTheJobWithExitCode124() throws Exception
    {
        // 15 s, so that on a loaded machine both ranks have started (and printed their pids) well before the timeout
        // fires; SleepingRank sleeps 60 s, so a job that ends before 60 s was stopped by the timeout
        final long started = System.nanoTime();
        try (LauncherProcess mpjrun = LauncherProcess.start(tmp, List.of(), "-np", "2", "--timeout", "15",
            "-cp", LauncherProcess.TEST_CLASSES.toString(), SleepingRank.class.getName()))
        {
            assertEquals(124, mpjrun.waitFor(120), mpjrun.stderrText());
            final double seconds = (System.nanoTime() - started) / 1e9;
            assertTrue(seconds >= 15 && seconds < 60, "took " + seconds + " s");
            final List<String> messages = mpjrunMessages(mpjrun);
            assertEquals("mpjrun: job timed out after 15 s; stopping all ranks", messages.getFirst(), messages.toString());
            final Map<Integer, Long> pids = mpjrun.awaitPids(2, 0);
            assertEquals(2, pids.size(), mpjrun.stdoutLines().toString());
            assertEquals(List.of(), Processes.stillRunningAfter(new ArrayList<>(pids.values()), 5));
        }
    }

    @Test
    void terminatingTheLauncherStopsTheRanks() throws Exception
    {
        try (LauncherProcess mpjrun = LauncherProcess.start(tmp, List.of(), "-np", "2",
            "-cp", LauncherProcess.TEST_CLASSES.toString(), SleepingRank.class.getName()))
        {
            final Map<Integer, Long> pids = mpjrun.awaitPids(2, 30);
            assertEquals(2, pids.size(), "ranks did not start");
            mpjrun.process().destroy(); // SIGTERM, as from kill or a batch system
            assertEquals(128 + 15, mpjrun.waitFor(30), mpjrun.stderrText());
            assertTrue(mpjrunMessages(mpjrun).contains("mpjrun: mpjrun was told to stop; stopping all ranks"),
                mpjrun.stderrText());
            assertEquals(List.of(), Processes.stillRunningAfter(new ArrayList<>(pids.values()), 5));
        }
    }

    @Test
    void aRendezvousThatTimesOutDoesNotFailRanksThatNeverJoin() throws Exception
    {
        try (LauncherProcess mpjrun = LauncherProcess.start(tmp,
            List.of("-D" + MpjRun.RENDEZVOUS_TIMEOUT_PROPERTY + "=300"), "-np", "2", "-Decho.sleepMs=1500",
            "-cp", LauncherProcess.TEST_CLASSES.toString(), EchoRank.class.getName()))
        {
            assertEquals(0, mpjrun.waitFor(60), mpjrun.stderrText());
            assertTrue(mpjrun.stdoutLines().contains("[1] hello from 1 of 2"), "the JVM option reached the ranks");
            assertEquals(List.of(), mpjrunMessages(mpjrun));
        }
    }

    @Test
    void aRankJoiningTheRendezvousWronglyStopsTheJob() throws Exception
    {
        try (LauncherProcess mpjrun = LauncherProcess.start(tmp, List.of(), "-np", "3", "--env", ready(),
            "-cp", LauncherProcess.TEST_CLASSES.toString(), BadJoinRank.class.getName()))
        {
            assertEquals(1, mpjrun.waitFor(60), mpjrun.stderrText());
            final List<String> messages = mpjrunMessages(mpjrun);
            assertTrue(messages.getFirst().startsWith("mpjrun: rendezvous failed: rank 0 joined with job"),
                messages.toString());
            final Map<Integer, Long> pids = mpjrun.awaitPids(3, 0);
            assertEquals(3, pids.size());
            assertEquals(List.of(), Processes.stillRunningAfter(new ArrayList<>(pids.values()), 5));
        }
    }

    @Test
    void filesLeftInDevShmAreRemoved() throws Exception
    {
        Assumptions.assumeTrue(Files.isDirectory(ShmFiles.SHM), "no /dev/shm here");
        try (LauncherProcess mpjrun = LauncherProcess.start(tmp, List.of(), "-np", "2",
            "-cp", LauncherProcess.TEST_CLASSES.toString(), ShmLeavingRank.class.getName()))
        {
            assertEquals(0, mpjrun.waitFor(60), mpjrun.stderrText());
            final List<Path> left = new ArrayList<>();
            for (final String line : mpjrun.stdoutLines())
            {
                if (line.matches("^\\[\\d] left /dev/shm/ringfold-j\\d+-[0-9a-f]{6}-r\\d$"))
                {
                    left.add(Path.of(line.substring(line.indexOf("left ") + 5)));
                }
            }
            assertEquals(2, left.size(), mpjrun.stdoutLines().toString());
            for (final Path file : left)
            {
                assertFalse(Files.exists(file), file + " is still there");
            }
        }
    }

    @Test
    void jarRunsItsManifestMainClassWithTheRestAsArguments() throws Exception
    {
        final Path jar = tmp.resolve("app.jar");
        writeJarWithMain(jar, "JarOnlyMain", "hello from the jar");
        try (LauncherProcess mpjrun = LauncherProcess.start(tmp, List.of(), "-np", "2", "-jar", jar.toString(),
            "-np", "7"))
        {
            assertEquals(0, mpjrun.waitFor(60), mpjrun.stderrText());
            final List<String> out = mpjrun.stdoutLines();
            assertTrue(out.contains("[0] hello from the jar -np 7"), out.toString());
            assertTrue(out.contains("[1] hello from the jar -np 7"), out.toString());
        }
    }

    /** The launcher's own lines on stderr, in order. */
    private static List<String> mpjrunMessages(final LauncherProcess mpjrun) throws IOException
    {
        return mpjrun.stderrLines().stream().filter(line -> line.startsWith("mpjrun: ")).toList();
    }

    private String ready() throws IOException
    {
        return TestRanks.READY_DIR + "=" + Files.createDirectory(tmp.resolve("ready"));
    }

    private static long childPid(final LauncherProcess mpjrun) throws IOException
    {
        for (final String line : mpjrun.stdoutLines())
        {
            if (line.startsWith("[0] child "))
            {
                return Long.parseLong(line.substring("[0] child ".length()));
            }
        }
        throw new AssertionError("rank 0 did not report its child: " + mpjrun.stdoutLines());
    }

    /** A jar whose only class prints its greeting and its arguments, so it runs only if the jar is on the path. */
    private static void writeJarWithMain(final Path jar, final String className, final String greeting)
        throws IOException
    {
        final ClassDesc printStream = ClassDesc.of(PrintStream.class.getName());
        final ClassDesc string = ConstantDescs.CD_String;
        final byte[] bytes = ClassFile.of().build(ClassDesc.of(className), cls -> cls
            .withFlags(ClassFile.ACC_PUBLIC)
            .withMethodBody("main", MethodTypeDesc.of(ConstantDescs.CD_void, string.arrayType()),
                ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, code -> code
                    .getstatic(ClassDesc.of(System.class.getName()), "out", printStream)
                    .ldc(greeting + " ")
                    .ldc(" ")
                    .aload(0)
                    .invokestatic(string, "join", MethodTypeDesc.of(string, ClassDesc.of(CharSequence.class.getName()),
                        ClassDesc.of(CharSequence.class.getName()).arrayType()))
                    .invokevirtual(string, "concat", MethodTypeDesc.of(string, string))
                    .invokevirtual(printStream, "println", MethodTypeDesc.of(ConstantDescs.CD_void, string))
                    .return_()));
        final Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, className);
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest))
        {
            out.putNextEntry(new JarEntry(className + ".class"));
            out.write(bytes);
            out.closeEntry();
        }
    }
}
