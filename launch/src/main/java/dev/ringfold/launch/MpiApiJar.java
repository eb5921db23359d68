package dev.ringfold.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The one jar of package {@code mpi} that a job's ranks get. Two APIs define that package (mpiJava 1.2 in
 * {@code ringfold-mpj}, Open MPI's Java bindings in {@code ringfold-openmpi-java}), so neither is among Ringfold's
 * jars in {@code build/lib}: both wait in {@code build/lib/api}, and mpjrun adds exactly one, the one --api names
 * or, by default, the one the program's classes call ({@link MpiApiUse}).
 */
final class MpiApiJar
{
    static final String FOLDER = "api";

    private MpiApiJar()
    {
    }

    /**
     * What --api and the program's classes decide: the mpi jar to add (null for none), whether a class of the program
     * reaches the Vector API, and whether it calls an mpi API (which reduces through the collectives' kernels).
     */
    record Choice(String jar, boolean vectorApi, boolean mpi)
    {
    }

    /**
     * @param api        --api's value: auto, mpj, openmpi or none.
     * @param mainClass  the program's main class, where the reading of its classes starts.
     * @param classPath  the program's class path (absolute entries).
     * @return the jar to put before the program's class path, or null for none (also when the ranks run from
     *         Maven's or an IDE's class path, which holds whichever API the project depends on), and whether the
     *         ranks need the Vector API module (as {@link MpiApiUse} reads it, whichever API).
     */
    static Choice forProgram(final String api, final String mainClass, final List<String> classPath)
        throws UsageException
    {
        final MpiApiUse.Program program = switch (api.trim().toLowerCase(java.util.Locale.ROOT))
        {
            case "auto" -> MpiApiUse.read(mainClass, classPath);
            case "mpj", "mpijava", "mpjexpress" ->
                new MpiApiUse.Program(MpiApiUse.MPJ, vectorApi(mainClass, classPath));
            case "openmpi", "ompi" -> new MpiApiUse.Program(MpiApiUse.OPENMPI, vectorApi(mainClass, classPath));
            case "none" -> new MpiApiUse.Program(MpiApiUse.NONE, vectorApi(mainClass, classPath));
            default -> throw new UsageException("unknown --api '" + api + "': use auto, mpj (mpiJava 1.2, MPJ " +
                "Express's API), openmpi (Open MPI's Java bindings) or none");
        };
        return new Choice(jar(program.api()), program.vectorApi(), !program.api().equals(MpiApiUse.NONE));
    }

    /** Whether a program reaches the Vector API, for an API named on the command line (or none). */
    private static boolean vectorApi(final String mainClass, final List<String> classPath)
    {
        try
        {
            return MpiApiUse.read(mainClass, classPath).vectorApi();
        }
        catch (final UsageException ex)
        {
            // a program that calls both mpi APIs is refused by the reading before it answers: the module, to be safe
            return true;
        }
    }

    private static String jar(final String choice) throws UsageException
    {
        final String lib = System.getProperty(RingfoldClassPath.LIB_PROPERTY);
        if (choice.equals(MpiApiUse.NONE) || lib == null || lib.isBlank())
        {
            return null;
        }
        final String artifact = choice.equals(MpiApiUse.MPJ) ? "ringfold-mpj-" : "ringfold-openmpi-java-";
        final Path folder = Path.of(lib).toAbsolutePath().normalize().resolve(FOLDER);
        try (var jars = Files.list(folder))
        {
            final List<Path> found = jars.filter(p ->
            {
                final String name = p.getFileName().toString();
                return name.startsWith(artifact) && name.endsWith(".jar") && !name.endsWith("-sources.jar") &&
                    !name.endsWith("-tests.jar");
            }).sorted().toList();
            if (found.size() == 1)
            {
                return found.getFirst().toString();
            }
            if (found.size() > 1)
            {
                throw new UsageException(folder + " holds " + found.size() + " " + artifact + "*.jar (" + found +
                    "): remove the stale ones or run 'make'");
            }
        }
        catch (final IOException ex)
        {
            // reported below: the folder is missing or unreadable, which 'make' repairs
        }
        throw new UsageException("no " + artifact + "*.jar in " + folder + " for --api " + choice +
            ": run 'make' (it puts the API jars there)");
    }
}
