package dev.ringfold.mpj;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The mpiJava programs of {@code dev.ringfold.mpj.programs}, compiled against MPJ Express's own mpj.jar, run
 * unchanged on MPJ Express 0.44 (Debian's libmpj-java, multicore device) and on Ringfold (bin/mpjrun, whose
 * class path puts Ringfold's mpj jar first); their output, every line "R&lt;rank&gt; ...", must agree rank by
 * rank. {@code StandardAnswers} holds the checks where MPJ Express departs from the MPI standard: there Ringfold
 * must give the standard's answer on every rank.
 */
class MpjExpressDifferentialTest
{
    private static final int NP = 4;
    private static final long TIMEOUT_SECONDS = 120;
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path MPJ_JAR = Path.of("/usr/share/java/mpj.jar");
    private static final Path MPJ_LIB = Path.of("/usr/share/mpj/lib");
    private static final Path MPJ_CONF = Path.of("/usr/share/mpj/conf/mpjexpress.conf");
    /** What Debian's MPJ jars name in their manifests but installs elsewhere (see docs/mpj.md). */
    private static final List<String> DEPENDENCY_JARS = List.of("log4j-1.2.jar", "commons-cli.jar",
        "commons-codec.jar", "commons-io.jar");
    private static final Path WORK = Path.of("target/mpj-express").toAbsolutePath();
    private static final Path CLASSES = WORK.resolve("classes");
    private static final Path MPJ_HOME = WORK.resolve("home");

    @BeforeAll
    static void compileAgainstMpjExpress() throws IOException
    {
        final boolean installed = Files.isReadable(MPJ_JAR) && Files.isDirectory(MPJ_LIB);
        if (!installed && System.getenv("CI") != null)
        {
            fail("MPJ Express 0.44 is missing in CI: .ci/run installs libmpj-java");
        }
        assumeTrue(installed, "MPJ Express 0.44 is not installed (apt-get install libmpj-java): " +
            "the differential tests against it are skipped");
        assumeTrue(Files.isExecutable(ROOT.resolve("bin/mpjrun")) && hasJars(ROOT.resolve("build/lib")),
            "build/lib has no jars: run 'make' so bin/mpjrun can start ranks");
        deleteTree(WORK);
        Files.createDirectories(CLASSES);
        final List<String> args = new ArrayList<>(List.of("-nowarn", "-proc:none", "-cp", MPJ_JAR.toString(), "-d",
            CLASSES.toString()));
        try (Stream<Path> sources = Files.list(Path.of("src/test/java/dev/ringfold/mpj/programs")))
        {
            sources.map(Path::toString).filter(s -> s.endsWith(".java")).sorted().forEach(args::add);
        }
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(new String[0])),
            "the programs compile against MPJ Express's mpj.jar");
        makeMpjHome();
    }

    @ParameterizedTest
    @ValueSource(strings = {"PointToPoint", "CollectiveOps", "TypesGroupsTopologies", "Kernels", "RequestsAndCounts",
        "Packed"})
    void ringfoldPrintsWhatMpjExpressPrints(final String program) throws Exception
    {
        final Run ours = ringfold(program);
        assertEquals(0, ours.exitCode, ours.toString());
        assertEquals(NP, ours.ranked().stream().filter(l -> l.endsWith(" DONE")).count(), ours.toString());
        final Run theirs = mpjExpress(program);
        assertEquals(NP, theirs.ranked().stream().filter(l -> l.endsWith(" DONE")).count(),
            "MPJ Express ran the program to the end\n" + theirs);
        assertEquals(String.join("\n", theirs.ranked()), String.join("\n", ours.ranked()),
            "Ringfold's output (actual) against MPJ Express's (expected)");
    }

    /** MPJ Express's own command line: niodev (our TCP), -psl, and mpj.jar itself still on the class path. */
    @Test
    void anMpjExpressCommandLineRunsUnchangedOverTcp() throws Exception
    {
        final Run ours = run(List.of(ROOT.resolve("bin/mpjrun").toString(), "-np", String.valueOf(NP), "-dev", "niodev",
            "-psl", "65536", "--no-tag-output", "--timeout", String.valueOf(TIMEOUT_SECONDS), "-cp",
            CLASSES + File.pathSeparator + MPJ_JAR, "dev.ringfold.mpj.programs.Kernels"), Map.of());
        assertEquals(0, ours.exitCode, ours.toString());
        assertEquals(String.join("\n", mpjExpress("Kernels").ranked()), String.join("\n", ours.ranked()));
    }

    /**
     * A program's own AOT cache (mpjrun --aot-cache): the first run records it, the next ones start every rank with
     * it, and the answers stay MPJ Express's. The ranks of an mpiJava program start without the Vector API module
     * (the collectives reduce with their scalar kernels), which is what lets the JDK link the program's classes
     * ahead.
     */
    @Test
    void aProgramsOwnAotCacheIsRecordedByTheFirstRunAndUsedByTheNext() throws Exception
    {
        final Path jar = WORK.resolve("programs.jar");
        jarOf(CLASSES, jar);
        final Path cache = WORK.resolve("programs.aot");
        Files.deleteIfExists(cache);
        final List<String> options = List.of("-np", String.valueOf(NP), "-dev", "multicore", "--no-tag-output",
            "--timeout", String.valueOf(TIMEOUT_SECONDS), "--aot-cache", cache.toString(), "-cp", jar.toString());
        final String main = "dev.ringfold.mpj.programs.CollectiveOps";
        final List<String> expected = mpjExpress("CollectiveOps").ranked();

        final Run recording = run(mpjrun(options, "--dry-run", main), Map.of());
        assertEquals(1, recording.stdout.lines().filter(l -> l.contains("-XX:AOTCacheOutput=" + cache)).count(),
            "rank 0 alone records: " + recording);
        assertTrue(!recording.stdout.contains("--add-modules=jdk.incubator.vector"), recording.toString());
        final Run first = run(mpjrun(options, null, main), Map.of());
        assertEquals(0, first.exitCode, first.toString());
        assertEquals(String.join("\n", expected), String.join("\n", first.ranked()));
        assertTrue(first.stderr.contains("recorded the AOT cache " + cache), first.toString());
        assertTrue(Files.size(cache) > 0, "the cache was kept");
        try (Stream<Path> files = Files.list(WORK))
        {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().contains(".recording-")).toList(),
                "no recording is left beside the cache");
        }

        final Run using = run(mpjrun(options, "--dry-run", main), Map.of());
        assertEquals(NP, using.stdout.lines().filter(l -> l.contains("-XX:AOTCache=" + cache)).count(),
            "every rank starts with it: " + using);
        final Run second = run(mpjrun(options, null, main), Map.of());
        assertEquals(0, second.exitCode, second.toString());
        assertEquals(String.join("\n", expected), String.join("\n", second.ranked()));
        assertTrue(!second.stderr.contains("recorded"), second.toString());

        // a rebuilt program is a new program: its next run records again
        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(
            Files.getLastModifiedTime(cache).toMillis() + 2_000));
        final Run stale = run(mpjrun(options, "--dry-run", main), Map.of());
        assertEquals(1, stale.stdout.lines().filter(l -> l.contains("-XX:AOTCacheOutput=")).count(), stale.toString());
    }

    private static List<String> mpjrun(final List<String> options, final String extra, final String main)
    {
        final List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("bin/mpjrun").toString()));
        cmd.addAll(options);
        if (extra != null)
        {
            cmd.add(extra);
        }
        cmd.add(main);
        return cmd;
    }

    /** A jar of every file under {@code classes}: the JDK records AOT caches for class paths of jars only. */
    private static void jarOf(final Path classes, final Path jar) throws IOException
    {
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> files = Files.walk(classes))
        {
            for (final Path file : files.filter(Files::isRegularFile).sorted().toList())
            {
                out.putNextEntry(new java.util.jar.JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
    }

    @Test
    void ringfoldGivesTheStandardsAnswerWhereMpjExpressDoesNot() throws Exception
    {
        final Run ours = ringfold("StandardAnswers");
        assertEquals(0, ours.exitCode, ours.toString());
        final List<String> wrong = ours.ranked().stream().filter(l -> l.contains(" WRONG ")).toList();
        assertEquals(List.of(), wrong, ours.toString());
        final long checks = ours.ranked().stream().filter(l -> l.contains(" ok ")).count();
        assertEquals(NP * 15L, checks, ours.toString());
        // for the record: where MPJ Express 0.44 departs from the standard (docs/mpj.md lists these)
        mpjExpress("StandardAnswers").ranked().stream().filter(l -> l.contains(" WRONG ")).forEach(System.out::println);
    }

    @Test
    void badArgumentsNameTheProblemAndTheCommunicatorStaysUsable() throws Exception
    {
        final Run ours = ringfold("BadInput", 2);
        assertEquals(0, ours.exitCode, ours.toString());
        final String out = ours.stdout;
        assertTrue(!out.contains("NO ERROR"), ours.toString());
        for (final String expected : List.of(
            "wrong array: Send: datatype INT needs a int[] buffer, not double[]",
            "past the end: Send: 2 items of INT at offset 1 reach elements [1, 2] of a buffer of 2",
            "bad dest: rank 0 of WORLD: dest=7 is outside [0, 2) and not MPI.PROC_NULL",
            "negative tag: rank 0 of WORLD: tag=-5 must be in [0, 1073741823]",
            "bad root: Bcast on rank 0: root=2 is outside [0, 2)",
            "mixed struct: Struct: block 1 has base type DOUBLE but earlier blocks have another",
            "bsend without buffer: Bsend: a buffered send of 4 bytes (+8 overhead) does not fit: 0 of the attached 0 " +
                "bytes are free (no buffer attached: MPI.Buffer_attach)",
            "bsend too big: Bsend: a buffered send of 400 bytes (+8 overhead) does not fit: 16 of the attached 16",
            "truncated: ",
            "still usable 41 81"))
        {
            assertTrue(out.contains("R0 " + (expected.startsWith("still") ? "" : "error ") + expected), expected + "\n" + ours);
        }
    }

    /** MPJ Express leaves MPI.COMM_WORLD null before Init (a bare NullPointerException); Ringfold says what is wrong. */
    @Test
    void aProgramThatForgetsMpiInitIsToldSo() throws Exception
    {
        final Run ours = ringfold("NoInit", 2);
        assertEquals(0, ours.exitCode, ours.toString());
        final String expected = ": mpi.MPIException: MPI.Init was not called: call MPI.Init(args) before using " +
            "MPI.COMM_WORLD or MPI.COMM_SELF";
        final List<String> lines = ours.stdout.lines().filter(l -> l.startsWith("NOINIT ")).toList();
        assertEquals(2 * 5, lines.size(), ours.toString());
        for (final String call : List.of("Rank", "Send", "Barrier", "Size"))
        {
            assertEquals(2, lines.stream().filter(l -> l.equals("NOINIT " + call + expected)).count(),
                call + "\n" + ours);
        }
        assertEquals(2, lines.stream().filter(l -> l.equals("NOINIT initialized false")).count(), ours.toString());
    }

    // ---------------------------------------------------------------------------------------------- running

    private record Run(int exitCode, String stdout, String stderr)
    {
        /** The programs' own lines, ordered by rank, each rank's in the order it printed them. */
        List<String> ranked()
        {
            return stdout.lines().filter(l -> l.matches("R\\d+ .*"))
                .sorted(Comparator.comparingInt(l -> Integer.parseInt(l.substring(1, l.indexOf(' '))))).toList();
        }

        @Override
        public String toString()
        {
            return "exit " + exitCode + "\n--- stdout\n" + tail(stdout) + "\n--- stderr\n" + tail(stderr);
        }

        private static String tail(final String s)
        {
            return s.length() > 6000 ? "..." + s.substring(s.length() - 6000) : s;
        }
    }

    private static Run ringfold(final String program) throws Exception
    {
        return ringfold(program, NP);
    }

    private static Run ringfold(final String program, final int np) throws Exception
    {
        return run(List.of(ROOT.resolve("bin/mpjrun").toString(), "-np", String.valueOf(np), "-dev", "multicore",
            "--no-tag-output", "--timeout", String.valueOf(TIMEOUT_SECONDS), "-cp", CLASSES.toString(),
            "dev.ringfold.mpj.programs." + program), Map.of());
    }

    /** MPJ Express's own starter, as its mpjrun script would run it (the launcher the docs describe). */
    private static Run mpjExpress(final String program) throws Exception
    {
        final String javaHome = System.getProperty("java.home");
        return run(List.of(javaHome + "/bin/java", "-jar", MPJ_HOME.resolve("lib/starter.jar").toString(), "-np",
            String.valueOf(NP), "-dev", "multicore", "-cp", CLASSES.toString(), "dev.ringfold.mpj.programs." + program),
            Map.of("MPJ_HOME", MPJ_HOME.toString(),
                // the rank JVM is started as plain "java": this one
                "PATH", javaHome + "/bin" + File.pathSeparator + System.getenv("PATH")));
    }

    private static Run run(final List<String> cmd, final Map<String, String> env) throws Exception
    {
        final Path out = Files.createTempFile(WORK, "run", ".out");
        final Path err = Files.createTempFile(WORK, "run", ".err");
        final ProcessBuilder pb = new ProcessBuilder(cmd).directory(WORK.toFile()).redirectOutput(out.toFile())
            .redirectError(err.toFile());
        pb.environment().putAll(env);
        final Process p = pb.start();
        if (!p.waitFor(TIMEOUT_SECONDS + 30, TimeUnit.SECONDS))
        {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("did not finish within " + (TIMEOUT_SECONDS + 30) + " s: " + cmd + "\n" + Files.readString(out));
        }
        final Run r = new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    /**
     * A private MPJ_HOME: Debian's jars resolve their manifest Class-Path next to themselves, where Debian did not
     * put log4j and commons-*; copies (not links: the JVM canonicalises jar paths) with the dependencies beside.
     */
    private static void makeMpjHome() throws IOException
    {
        Files.createDirectories(MPJ_HOME.resolve("lib"));
        Files.createDirectories(MPJ_HOME.resolve("conf"));
        Files.createDirectories(MPJ_HOME.resolve("logs"));
        try (Stream<Path> jars = Files.list(MPJ_LIB))
        {
            for (final Path jar : jars.filter(j -> j.toString().endsWith(".jar")).toList())
            {
                final String name = jar.getFileName().toString().replace("-0.44.jar", ".jar");
                final Path to = MPJ_HOME.resolve("lib").resolve(name);
                if (!Files.exists(to))
                {
                    Files.copy(jar.toRealPath(), to);
                }
            }
        }
        for (final String dependency : DEPENDENCY_JARS)
        {
            final Path jar = Path.of("/usr/share/java", dependency);
            assumeTrue(Files.isReadable(jar), "MPJ Express's dependency " + jar + " is missing");
            Files.copy(jar.toRealPath(), MPJ_HOME.resolve("lib").resolve(dependency), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.copy(MPJ_HOME.resolve("lib/log4j-1.2.jar"), MPJ_HOME.resolve("lib/log4j-1.2.11.jar"),
            StandardCopyOption.REPLACE_EXISTING);
        if (Files.isReadable(MPJ_CONF))
        {
            Files.copy(MPJ_CONF, MPJ_HOME.resolve("conf/mpjexpress.conf"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static boolean hasJars(final Path dir) throws IOException
    {
        if (!Files.isDirectory(dir))
        {
            return false;
        }
        try (Stream<Path> files = Files.list(dir))
        {
            return files.anyMatch(f -> f.toString().endsWith(".jar"));
        }
    }

    private static void deleteTree(final Path dir) throws IOException
    {
        if (Files.exists(dir))
        {
            try (Stream<Path> files = Files.walk(dir))
            {
                for (final Path f : files.sorted(Comparator.reverseOrder()).toList())
                {
                    Files.delete(f);
                }
            }
        }
    }
}
