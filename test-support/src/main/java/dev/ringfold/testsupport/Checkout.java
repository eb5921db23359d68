package dev.ringfold.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Where this checkout is, whether it is built, and which classes a rank sees. Tests run in their module's folder
 * (Surefire's working directory), so the repository root is its parent.
 */
public final class Checkout
{
    /** The repository root: bin/mpjrun, build/lib. */
    public static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** The calling module's compiled test classes. */
    public static final Path TEST_CLASSES = Path.of("target", "test-classes").toAbsolutePath();

    private Checkout()
    {
    }

    /** Skips the test unless build/lib holds jars, which bin/mpjrun starts ranks from. */
    public static void assumeBuilt()
    {
        final Path lib = ROOT.resolve("build/lib");
        boolean jars = false;
        if (Files.isDirectory(lib))
        {
            try (var files = Files.list(lib))
            {
                jars = files.anyMatch(f -> f.getFileName().toString().endsWith(".jar"));
            }
            catch (final IOException ex)
            {
                jars = false;
            }
        }
        assumeTrue(jars, lib + " has no jars: run 'make' at the repository root so bin/mpjrun can start ranks");
    }

    /** Skips the test unless Open MPI's mpirun is on the PATH, when {@code dev} is the native device. */
    public static void assumeDevice(final String dev)
    {
        assumeTrue(!"native".equals(dev) || Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
            .anyMatch(d -> Files.isExecutable(Path.of(d, "mpirun"))), "-dev native needs Open MPI's mpirun on the PATH");
    }

    /**
     * The classes a rank program of the calling module needs besides build/lib: the module's test classes and
     * classes (fresh, ahead of a possibly older jar in build/lib), and the test classes of the modules whose test
     * jar it depends on (training's ranks use the collectives' allocation helpers).
     */
    public static String rankClassPath()
    {
        final List<String> entries = new ArrayList<>(List.of(TEST_CLASSES.toString(),
            Path.of("target", "classes").toAbsolutePath().toString()));
        for (final String entry : testClassPath().split(File.pathSeparator))
        {
            final String absolute = entry.isEmpty() ? "" : Path.of(entry).toAbsolutePath().toString();
            if ((absolute.endsWith("-tests.jar") || absolute.endsWith(File.separator + "test-classes")) &&
                !entries.contains(absolute))
            {
                entries.add(absolute);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** The class path of this test JVM, whether or not Surefire hides it in a manifest-only jar. */
    public static String testClassPath()
    {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /** {@link #testClassPath()} with every entry absolute, for a process that runs in another folder. */
    public static String absoluteTestClassPath()
    {
        final List<String> entries = new ArrayList<>();
        for (final String entry : testClassPath().split(File.pathSeparator))
        {
            if (!entry.isEmpty())
            {
                entries.add(Path.of(entry).toAbsolutePath().toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
