package dev.ringfold.openmpi;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The programs of {@code dev.ringfold.openmpi.programs}, compiled against Open MPI 4.1.4's own Java bindings
 * (mpi.jar, built from Debian's source package by ../shared/anchors/ompi-java/build-reference.sh), run unchanged on
 * Open MPI (mpirun, Debian's libmpi_java.so) and on Ringfold (bin/mpjrun, which picks the Open MPI API jar from
 * the class files), with 2 and 4 ranks, over shared memory and over TCP: every rank's lines must be the same.
 */
class OpenMpiJavaDifferentialTest
{
    private static final long TIMEOUT_SECONDS = 150;
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path WORK = Path.of("target/ompi-java").toAbsolutePath();
    private static final Path CLASSES = WORK.resolve("classes");
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final Map<String, Run> REFERENCE = new HashMap<>();
    private static Path referenceJar;

    @BeforeAll
    static void compileAgainstOpenMpi() throws Exception
    {
        assumeTrue(Files.isExecutable(ROOT.resolve("bin/mpjrun")) && Files.isDirectory(ROOT.resolve("build/lib/api")),
            "build/lib/api is missing: run 'make' so bin/mpjrun can start ranks");
        referenceJar = ReferenceJar.find(ROOT);
        Files.createDirectories(CLASSES);
        final List<String> args = new ArrayList<>(List.of("-nowarn", "-proc:none", "-cp", referenceJar.toString(),
            "-d", CLASSES.toString()));
        try (Stream<Path> sources = Files.list(Path.of("src/test/java/dev/ringfold/openmpi/programs")))
        {
            sources.map(Path::toString).filter(s -> s.endsWith(".java")).sorted().forEach(args::add);
        }
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(new String[0])),
            "the programs compile against Open MPI's mpi.jar");
    }

    static Stream<Arguments> runs()
    {
        final List<Arguments> runs = new ArrayList<>();
        for (final String program : List.of("PointToPoint", "CollectiveCalls", "TypesGroupsTopologies", "BadInput"))
        {
            for (final int np : new int[]{2, 4})
            {
                for (final String dev : List.of("shm", "tcp"))
                {
                    runs.add(Arguments.of(program, np, dev));
                }
            }
        }
        return runs.stream();
    }

    @ParameterizedTest(name = "{0} np={1} -dev {2}")
    @MethodSource("runs")
    void ringfoldPrintsWhatOpenMpiPrints(final String program, final int np, final String dev) throws Exception
    {
        final Run reference = REFERENCE.computeIfAbsent(program + np, k -> openMpi(program, np));
        assertEquals(0, reference.exitCode, "Open MPI's run: " + reference);
        final Run ours = ringfold(program, np, dev);
        assertEquals(0, ours.exitCode, ours.toString());
        assertTrue(reference.lines().size() > 10, reference.toString());
        assertEquals(reference.lines(), ours.lines(), "Ringfold (" + dev + ") vs Open MPI\n" + ours);
    }

    /** Open MPI's own Hello and Ring, as the reference script compiled them against Open MPI's mpi.jar. */
    @Test
    void openMpisExamplesRunUnchanged() throws Exception
    {
        final Path examples = referenceJar.resolveSibling("examples");
        assumeTrue(Files.isReadable(examples.resolve("Ring.class")), "no " + examples + "/Ring.class");
        final Run hello = run(List.of(ROOT.resolve("bin/mpjrun").toString(), "-np", "3", "--no-tag-output",
            "--timeout", String.valueOf(TIMEOUT_SECONDS), "-cp", examples.toString(), "Hello"));
        assertEquals(0, hello.exitCode, hello.toString());
        assertEquals(List.of("Hello world from rank 0 of 3", "Hello world from rank 1 of 3",
            "Hello world from rank 2 of 3"), hello.stdout.lines().filter(l -> l.startsWith("Hello")).sorted().toList());
        // as Open MPI's README writes it: mpirun -np 4 java -cp mpi.jar:. Ring
        final Run ring = run(List.of(ROOT.resolve("bin/mpjrun").toString(), "-np", "4", "--no-tag-output",
            "--timeout", String.valueOf(TIMEOUT_SECONDS), "java", "-cp", referenceJar + ":" + examples, "Ring"));
        assertEquals(0, ring.exitCode, ring.toString());
        final List<String> lines = ring.stdout.lines().toList();
        assertTrue(lines.contains("Process 0 sending 10 to rank 1 (4 processes in ring)") &&
            lines.contains("Process 0 decremented value: 0") &&
            lines.stream().filter(l -> l.matches("Process \\d exiting")).count() == 4, ring.toString());
    }

    @Test
    void errorsOpenMpiCrashesOnAreReportedToo() throws Exception
    {
        final Run ours = run(List.of(ROOT.resolve("bin/mpjrun").toString(), "-np", "2", "--no-tag-output",
            "--timeout", String.valueOf(TIMEOUT_SECONDS), "-cp", CLASSES.toString(),
            "dev.ringfold.openmpi.programs.BadInput", "beyond-open-mpi"));
        assertEquals(0, ours.exitCode, ours.toString());
        assertTrue(ours.lines().contains("r0: send freed type = MPIException class 3: MPI_ERR_TYPE: invalid datatype"),
            ours.toString());
    }

    @Test
    void anErrorUnderErrorsAreFatalEndsTheJob() throws Exception
    {
        Run reference = openMpi("FatalError", 2);
        if (!reference.stderr.contains("MPI_ERR_RANK") && reference.stderr.contains("ORTE_ERROR_LOG"))
        {
            // Open MPI's launcher sometimes loses the message it gathers from the ranks ("ORTE_ERROR_LOG: Data
            // unpack would read past end of buffer in file ../../../orte/util/show_help.c"): its run, once more
            reference = openMpi("FatalError", 2);
        }
        final Run ours = ringfold("FatalError", 2, "shm");
        assertNotEquals(0, reference.exitCode, reference.toString());
        assertNotEquals(0, ours.exitCode, ours.toString());
        assertTrue(reference.stderr.contains("MPI_ERR_RANK: invalid rank"), reference.toString());
        assertTrue(ours.stderr.contains("MPI_ERR_RANK: invalid rank") &&
            ours.stderr.contains("MPI_ERRORS_ARE_FATAL"), ours.toString());
        assertTrue(!ours.stdout.contains("not reached"), ours.toString());
    }

    private static Run openMpi(final String program, final int np)
    {
        try
        {
            return run(List.of("mpirun", "--allow-run-as-root", "--oversubscribe", "-np", String.valueOf(np), JAVA,
                "--enable-native-access=ALL-UNNAMED", "-cp", referenceJar + ":" + CLASSES,
                "dev.ringfold.openmpi.programs." + program));
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static Run ringfold(final String program, final int np, final String dev) throws Exception
    {
        return run(List.of(ROOT.resolve("bin/mpjrun").toString(), "-np", String.valueOf(np), "-dev", dev,
            "--no-tag-output", "--timeout", String.valueOf(TIMEOUT_SECONDS), "-cp", CLASSES.toString(),
            "dev.ringfold.openmpi.programs." + program));
    }

    private record Run(int exitCode, String stdout, String stderr)
    {
        /** The programs' lines ("r<rank>: ..."), sorted: ranks print concurrently. */
        List<String> lines()
        {
            return stdout.lines().filter(l -> l.matches("r\\d+: .*")).sorted().toList();
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

    private static Run run(final List<String> cmd) throws Exception
    {
        Files.createDirectories(WORK);
        final Path out = Files.createTempFile(WORK, "run", ".out");
        final Path err = Files.createTempFile(WORK, "run", ".err");
        final Process p = new ProcessBuilder(cmd).directory(WORK.toFile()).redirectOutput(out.toFile())
            .redirectError(err.toFile()).start();
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
}
