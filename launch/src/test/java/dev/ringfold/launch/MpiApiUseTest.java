package dev.ringfold.launch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mpjrun's choice between the two Java MPI APIs, read from real class files: programs compiled against small
 * stand-ins of each API's package mpi (the real jars cannot both be on this module's class path, which is the
 * point), including a call made from a helper class rather than the main class.
 */
class MpiApiUseTest
{
    @TempDir
    Path dir;

    private Path compile(final Map<String, String> sources) throws IOException
    {
        final Path src = dir.resolve("src");
        final Path out = dir.resolve("classes");
        Files.createDirectories(out);
        final List<String> args = new ArrayList<>(List.of("-d", out.toString()));
        for (final Map.Entry<String, String> e : sources.entrySet())
        {
            final Path file = src.resolve(e.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
            args.add(file.toString());
        }
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(new String[0])));
        // the stand-ins are not part of the program's class path, as the real API jar is not
        for (final String standIn : List.of("mpi", "dev/ringfold"))
        {
            if (Files.isDirectory(out.resolve(standIn)))
            {
                deleteTree(out.resolve(standIn));
            }
        }
        return out;
    }

    /** The program's main class, app.Main, whose main method does {@code body}. */
    private static String mainClass(final String body)
    {
        return "package app; public class Main { public static void main(String[] a) { " + body + " } }";
    }

    /** A class the main class calls, app.Helper, with {@code members}. */
    private static String helperClass(final String members)
    {
        return "package app; class Helper { " + members + " }";
    }

    private static void deleteTree(final Path p) throws IOException
    {
        try (var files = Files.walk(p))
        {
            for (final Path f : files.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.delete(f);
            }
        }
    }

    private static final String OPENMPI_STUBS = "package mpi; public class MPI { public static Intracomm COMM_WORLD;" +
        " public static String[] Init(String[] a) { return a; } public static void Finalize() {}" +
        " public static int queryThread() { return 0; } }";
    private static final String OPENMPI_COMM = "package mpi; public class Intracomm { public int getRank() " +
        "{ return 0; } public void send(Object b, int c, Object t, int d, int g) {} }";
    private static final String MPJ_COMM = "package mpi; public class Intracomm { public int Rank() { return 0; } }";

    @Test
    void anOpenMpiProgramIsSeenThroughItsHelperClass() throws Exception
    {
        final Path classes = compile(Map.of("mpi/MPI.java", OPENMPI_STUBS, "mpi/Intracomm.java", OPENMPI_COMM,
            "app/Main.java", mainClass("mpi.MPI.Init(a); Helper.go(); mpi.MPI.Finalize();"),
            "app/Helper.java", helperClass("static void go() { System.out.println(mpi.MPI.COMM_WORLD.getRank()); }")));
        assertEquals(MpiApiUse.OPENMPI, MpiApiUse.of("app.Main", List.of(classes.toString())));
    }

    @Test
    void anMpjProgramIsSeenFromAJar() throws Exception
    {
        // what every object and exception has (getMessage) and what both APIs have (queryThread) say nothing
        final Path classes = compile(Map.of("mpi/MPI.java", OPENMPI_STUBS, "mpi/Intracomm.java", MPJ_COMM,
            "mpi/MPIException.java", "package mpi; public class MPIException extends RuntimeException {}",
            "app/Main.java", mainClass("System.out.println(new mpi.MPIException().getMessage()); " +
                "mpi.MPI.Init(a); System.out.println(mpi.MPI.queryThread() + mpi.MPI.COMM_WORLD.Rank());")));
        final Path jar = dir.resolve("app.jar");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(jar)))
        {
            zip.putNextEntry(new java.util.zip.ZipEntry("app/Main.class"));
            zip.write(Files.readAllBytes(classes.resolve("app/Main.class")));
        }
        assertEquals(MpiApiUse.MPJ, MpiApiUse.of("app.Main", List.of(jar.toString())));
    }

    @Test
    void aProgramWithoutMpiGetsNeither() throws Exception
    {
        final Path classes = compile(Map.of("app/Main.java", mainClass("System.out.println(1);")));
        assertEquals(MpiApiUse.NONE, MpiApiUse.of("app.Main", List.of(classes.toString())));
        assertNull(MpiApiJar.forProgram("auto", "app.Main", List.of(classes.toString())).jar());
    }

    private static final String RUNTIME_STANDIN = "package dev.ringfold.mpi; public class Ringfold { " +
        "public static Ringfold init() { return null; } public int rank() { return 0; } }";
    private static final String COLLECTIVES_STANDIN = "package dev.ringfold.collectives; public class Collectives { " +
        "public static void allReduce(double[] x) {} }";

    @Test
    void aProgramOfTheRuntimeAloneStartsWithoutTheVectorApi() throws Exception
    {
        final Path classes = compile(Map.of("dev/ringfold/mpi/Ringfold.java", RUNTIME_STANDIN,
            "app/Main.java", mainClass("System.out.println(dev.ringfold.mpi.Ringfold.init().rank() + Helper.NAME);"),
            "app/Helper.java", helperClass("static final String NAME = new StringBuilder(\"x\")" +
                ".toString();")));
        assertEquals(new MpiApiUse.Program(MpiApiUse.NONE, false),
            MpiApiUse.read("app.Main", List.of(classes.toString())));
        assertEquals(new MpiApiJar.Choice(null, false, false),
            MpiApiJar.forProgram("none", "app.Main", List.of(classes.toString())));
    }

    @Test
    void aProgramReachingTheCollectivesThroughAHelperGetsTheVectorApi() throws Exception
    {
        final Path classes = compile(Map.of("dev/ringfold/mpi/Ringfold.java", RUNTIME_STANDIN,
            "dev/ringfold/collectives/Collectives.java", COLLECTIVES_STANDIN,
            "app/Main.java", mainClass("dev.ringfold.mpi.Ringfold.init(); Helper.sum();"),
            "app/Helper.java", helperClass("static void sum() { " +
                "dev.ringfold.collectives.Collectives.allReduce(new double[1]); }")));
        assertEquals(new MpiApiUse.Program(MpiApiUse.NONE, true),
            MpiApiUse.read("app.Main", List.of(classes.toString())));
    }

    @Test
    void anMpiProgramStartsWithoutTheVectorApiAndAMissingMainClassWithIt() throws Exception
    {
        final Path classes = compile(Map.of("mpi/MPI.java", OPENMPI_STUBS, "mpi/Intracomm.java", MPJ_COMM,
            "app/Main.java", mainClass("mpi.MPI.Init(a); System.out.println(mpi.MPI.COMM_WORLD.Rank());")));
        // package mpi reduces through the collectives' scalar kernels in a JVM without the module
        assertEquals(new MpiApiUse.Program(MpiApiUse.MPJ, false),
            MpiApiUse.read("app.Main", List.of(classes.toString())));
        assertEquals(new MpiApiJar.Choice(null, false, true),
            MpiApiJar.forProgram("mpj", "app.Main", List.of(classes.toString())));
        // a main class the launcher cannot read (in Ringfold's own jars, say) might reach anything
        assertEquals(new MpiApiUse.Program(MpiApiUse.NONE, true),
            MpiApiUse.read("app.Elsewhere", List.of(classes.toString())));
    }

    @Test
    void anMpiProgramGetsTheVectorApiUnlessItsJobHasItsOwnAotCache() throws Exception
    {
        final Path classes = compile(Map.of("mpi/MPI.java", OPENMPI_STUBS, "mpi/Intracomm.java", MPJ_COMM,
            "app/Main.java", mainClass("mpi.MPI.Init(a); System.out.println(mpi.MPI.COMM_WORLD.Rank());")));
        // the vector kernels by default; the scalar ones where the module would keep the cache from linking ahead
        assertEquals(List.of(dev.ringfold.mpi.JvmFlags.VECTOR_API, "-Xmx1g"), LaunchArguments.parse(new String[]{
            "-np", "2", "-cp", classes.toString(), "-Xmx1g", "app.Main"}, dir).jvmOptions());
        assertEquals(List.of("-Xmx1g"), LaunchArguments.parse(new String[]{"-np", "2", "--aot-cache",
            dir.resolve("app.aot").toString(), "-cp", classes.toString(), "-Xmx1g", "app.Main"}, dir).jvmOptions());
    }

    @Test
    void anMpiProgramWhoseLaterClassReachesTheCollectivesGetsTheVectorApi() throws Exception
    {
        // the main class settles the API; the helper it calls afterwards reaches the kernels themselves
        final Path classes = compile(Map.of("mpi/MPI.java", OPENMPI_STUBS, "mpi/Intracomm.java", MPJ_COMM,
            "dev/ringfold/collectives/Collectives.java", COLLECTIVES_STANDIN,
            "app/Main.java", mainClass("mpi.MPI.Init(a); System.out.println(mpi.MPI.COMM_WORLD.Rank()); " +
                "Helper.sum();"),
            "app/Helper.java", helperClass("static void sum() { " +
                "dev.ringfold.collectives.Collectives.allReduce(new double[1]); }")));
        assertEquals(new MpiApiUse.Program(MpiApiUse.MPJ, true),
            MpiApiUse.read("app.Main", List.of(classes.toString())));
        assertEquals(new MpiApiJar.Choice(null, true, true),
            MpiApiJar.forProgram("mpj", "app.Main", List.of(classes.toString())));
    }

    @Test
    void aProgramCallingBothIsRefusedWithWhatItCalls() throws Exception
    {
        final Path classes = compile(Map.of("mpi/MPI.java", OPENMPI_STUBS, "mpi/Intracomm.java",
            "package mpi; public class Intracomm { public int Rank() { return 0; } public int getSize() " +
                "{ return 1; } }",
            "app/Main.java", mainClass(
                "System.out.println(mpi.MPI.COMM_WORLD.Rank() + mpi.MPI.COMM_WORLD.getSize());")));
        final UsageException ex = assertThrows(UsageException.class,
            () -> MpiApiUse.of("app.Main", List.of(classes.toString())));
        assertTrue(ex.getMessage().contains("mpi.Intracomm.Rank") && ex.getMessage().contains("getSize") &&
            ex.getMessage().contains("--api"), ex.getMessage());
    }

    @Test
    void anUnknownApiIsAUsageError()
    {
        final UsageException ex = assertThrows(UsageException.class,
            () -> MpiApiJar.forProgram("mpich", "app.Main", List.of()));
        assertTrue(ex.getMessage().contains("--api 'mpich'"), ex.getMessage());
    }

    @Test
    void aNamedApiNeedsItsJarInTheApiFolder() throws Exception
    {
        final String before = System.getProperty(RingfoldClassPath.LIB_PROPERTY);
        try
        {
            final Path lib = dir.resolve("lib");
            Files.createDirectories(lib.resolve(MpiApiJar.FOLDER));
            System.setProperty(RingfoldClassPath.LIB_PROPERTY, lib.toString());
            final UsageException ex = assertThrows(UsageException.class,
                () -> MpiApiJar.forProgram("openmpi", "app.Main", List.of()));
            assertTrue(ex.getMessage().contains("ringfold-openmpi-java-") && ex.getMessage().contains("make"),
                ex.getMessage());
            final Path jar = Files.createFile(lib.resolve(MpiApiJar.FOLDER).resolve("ringfold-mpj-1.0.jar"));
            // app.Main is not on the (empty) class path: what it reaches is unknown, so the Vector API is added
            assertEquals(new MpiApiJar.Choice(jar.toString(), true, true), MpiApiJar.forProgram("mpj", "app.Main", List.of()));
            // app.Main is not on the (empty) class path: what it reaches is unknown, so the Vector API is added
            assertEquals(new MpiApiJar.Choice(null, true, false), MpiApiJar.forProgram("none", "app.Main", List.of()));
        }
        finally
        {
            if (before == null)
            {
                System.clearProperty(RingfoldClassPath.LIB_PROPERTY);
            }
            else
            {
                System.setProperty(RingfoldClassPath.LIB_PROPERTY, before);
            }
        }
    }
}
