package dev.ringfold.openmpi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Open MPI 4.1.4's own Java bindings, the reference: OMPI_JAVA_REF (a folder with mpi.jar), else
 * /tmp/ompi-java-ref, else built there by ../shared/anchors/ompi-java/build-reference.sh when this runs as root
 * with Debian's libopenmpi-dev installed; otherwise the tests that need it are skipped (in CI they fail).
 */
final class ReferenceJar
{
    private static final String BUILD = "../shared/anchors/ompi-java/build-reference.sh";

    private ReferenceJar()
    {
    }

    static synchronized Path find(final Path root) throws Exception
    {
        final String named = System.getenv("OMPI_JAVA_REF");
        final Path folder = named != null ? Path.of(named) : Path.of("/tmp/ompi-java-ref");
        final Path jar = folder.resolve("mpi.jar");
        final boolean openMpi = Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libmpi_java.so")) && onPath("mpirun");
        if (!Files.isReadable(jar) && openMpi)
        {
            final Path script = root.resolve(BUILD).normalize();
            if (Files.isExecutable(script) && "root".equals(System.getProperty("user.name")))
            {
                final ProcessBuilder pb = new ProcessBuilder(script.toString(), folder.toString()).inheritIO();
                pb.environment().put("JAVAC", Path.of(System.getProperty("java.home"), "bin", "javac").toString());
                final Process p = pb.start();
                if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0)
                {
                    fail(script + " " + folder + " failed");
                }
            }
        }
        final boolean ready = Files.isReadable(jar) && openMpi;
        final String why = "Open MPI 4.1.4's Java bindings are missing: apt-get install libopenmpi-dev openmpi-bin, " +
            "then JAVAC=$JAVA_HOME/bin/javac " + BUILD + " /tmp/ompi-java-ref (or set OMPI_JAVA_REF)";
        if (!ready && System.getenv("CI") != null)
        {
            fail(why);
        }
        assumeTrue(ready, why);
        return jar;
    }

    private static boolean onPath(final String command)
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(":"))
        {
            if (Files.isExecutable(Path.of(dir, command)))
            {
                return true;
            }
        }
        return false;
    }
}
