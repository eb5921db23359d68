package dev.ringfold.launch;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipFile;

/**
 * Which of the two Java MPI APIs that share the package {@code mpi} a program is written against, read from its
 * class files: starting at the main class, every class of the program's class path it refers to is read (its
 * constant pool only), and each reference into package {@code mpi} is a vote. The APIs differ in ways a compiler
 * writes into the caller: mpiJava 1.2 (MPJ Express) has capitalised methods ({@code Rank()}, {@code Send},
 * {@code Init_thread}), Open MPI's lower-camel-case ones ({@code getRank()}, {@code send}) and {@code InitThread}
 * ({@code Init} and {@code Finalize} are in both), and some classes exist in one only
 * ({@code Cartcomm}/{@code CartComm}, {@code User_function}/{@code UserFunction}). The first class that calls
 * into package mpi settles the answer (one that calls both is refused); Ringfold's runtime and the libraries it
 * brings are not read.
 * <p>
 * The same reading says whether the program can reach the Vector API, which only the tensors' kernels and
 * programs of their own use, and whose module costs every rank JVM start-up time ({@code JvmFlags.VECTOR_API}).
 * It can when a class read refers to Ringfold's tensors, collectives or training, to MPJ Express's device layers
 * (mpjbuf, mpjdev) or to {@code jdk.incubator.vector}, when it refers to a Ringfold class the
 * program's class path does not hold (one of Ringfold's own jars, which are not read), when the main class itself
 * is not there, or when the reading stops at its bound. A program that refers to nothing but the JDK,
 * Ringfold's runtime (dev.ringfold.mpi, which depends on Agrona alone), package mpi and other libraries cannot:
 * both mpi APIs reduce through the collectives, whose kernels run scalar loops in a JVM without the module
 * (ReduceKernels) and reach no type that needs it (BF16, F16); whether such a program gets the module all the same
 * is the launcher's choice (LaunchArguments). For this answer the reading goes on past the class that settled the
 * API, through every class of the program it can reach.
 */
final class MpiApiUse
{
    /** The answer when the program's classes refer to package mpi in neither way. */
    static final String NONE = "none";
    static final String MPJ = "mpj";
    static final String OPENMPI = "openmpi";

    /** What the reading found: the API ({@link #MPJ}, {@link #OPENMPI} or {@link #NONE}), and the Vector API. */
    record Program(String api, boolean vectorApi)
    {
    }

    /** Far beyond a program's own classes; a bound so that a class path of huge jars cannot stall the launch. */
    private static final int MAX_CLASSES = 20_000;

    private static final Set<String> OPENMPI_CLASSES = Set.of("CartComm", "GraphComm", "UserFunction", "Message",
        "Info", "Win", "File", "Struct", "DoubleInt", "FloatInt", "LongInt", "ShortInt", "Int2", "Count", "Version",
        "DistGraphNeighbors", "FileView", "FloatComplex", "DoubleComplex");
    private static final Set<String> MPJ_CLASSES = Set.of("Cartcomm", "Graphcomm", "User_function");
    /**
     * Packages whose classes never call package mpi and are not worth reading: Ringfold's runtime and the
     * libraries it brings (a program started with -cp 'build/lib/*' refers to them all).
     */
    private static final List<String> NOT_PROGRAMS = List.of("java/", "javax/", "jdk/", "sun/", "com/sun/",
        "dev/ringfold/mpi/", "dev/ringfold/collectives/", "dev/ringfold/tensors/", "dev/ringfold/launch/",
        "org/apache/", "org/agrona/", "io/netty/", "org/slf4j/", "com/fasterxml/", "org/HdrHistogram/",
        "org/openjdk/", "org/junit/", "com/google/", "kotlin/", "scala/", "org/w3c/", "org/xml/");

    /**
     * Calls that say nothing: both APIs have them (Init, Finalize, free ...), or javac names an mpi class as the
     * owner of a method every object or exception has ({@code MPIException.getMessage()}).
     */
    private static final Set<String> NEUTRAL_METHODS = Set.of("<init>", "<clinit>", "clone", "equals", "hashCode",
        "toString", "getClass", "finalize", "notify", "notifyAll", "wait", "compareTo", "getMessage",
        "getLocalizedMessage", "getCause", "initCause", "printStackTrace", "getStackTrace", "setStackTrace",
        "fillInStackTrace", "addSuppressed", "getSuppressed", "Init", "Finalize", "free", "queryThread", "getType");
    /** mpiJava's few lower-case methods (MPJ Express's MPI.initThread ...), which Open MPI's API does not have. */
    private static final Set<String> MPJ_LOWER_CASE = Set.of("initThread", "isMainThread", "getByteSize");

    /** Ringfold packages whose classes reach the vector kernels; referring to one needs the Vector API module. */
    private static final List<String> VECTOR_USERS = List.of("jdk/incubator/vector/", "dev/ringfold/tensors/",
        "dev/ringfold/collectives/", "dev/ringfold/training/", "mpjbuf/", "mpjdev/");

    /** The class path's directories and jars, wildcards ("dir/*") expanded once. */
    private final List<Path> sources = new ArrayList<>();
    private final List<ZipFile> openJars = new ArrayList<>();
    private final Set<String> mpjEvidence = new TreeSet<>();
    private final Set<String> openMpiEvidence = new TreeSet<>();
    private boolean vectorApi;
    /** Whether the class being read still votes: only until one class has settled the API. */
    private boolean voting = true;

    private MpiApiUse(final List<String> classPath)
    {
        for (final String entry : classPath)
        {
            if (entry.endsWith(File.separator + "*"))
            {
                final Path dir = Path.of(entry.substring(0, entry.length() - 2));
                try (var jars = Files.list(dir))
                {
                    jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(sources::add);
                }
                catch (final IOException ex)
                {
                    // a missing folder holds no classes; the JVM ignores it too
                }
            }
            else
            {
                sources.add(Path.of(entry));
            }
        }
    }

    /**
     * @return {@link #MPJ}, {@link #OPENMPI} or {@link #NONE}.
     * @throws UsageException when the program refers to both, naming a reference of each.
     */
    static String of(final String mainClass, final List<String> classPath) throws UsageException
    {
        return read(mainClass, classPath).api();
    }

    /**
     * @return the API the program calls and whether it can reach the Vector API (see the class comment).
     * @throws UsageException when the program refers to both APIs, naming a reference of each.
     */
    static Program read(final String mainClass, final List<String> classPath) throws UsageException
    {
        final MpiApiUse use = new MpiApiUse(classPath);
        try
        {
            use.scan(mainClass.replace('.', '/'));
        }
        finally
        {
            use.closeJars();
        }
        if (!use.mpjEvidence.isEmpty() && !use.openMpiEvidence.isEmpty())
        {
            throw new UsageException("cannot tell which Java MPI API " + mainClass + " uses: it refers to mpiJava's " +
                first(use.mpjEvidence) + " and to Open MPI's " + first(use.openMpiEvidence) +
                "; choose with --api mpj or --api openmpi");
        }
        final String api = !use.mpjEvidence.isEmpty() ? MPJ : !use.openMpiEvidence.isEmpty() ? OPENMPI : NONE;
        return new Program(api, use.vectorApi);
    }

    private static String first(final Set<String> evidence)
    {
        return evidence.iterator().next();
    }

    private void scan(final String mainClass)
    {
        final Set<String> seen = new HashSet<>();
        final ArrayDeque<String> queue = new ArrayDeque<>();
        queue.add(mainClass);
        seen.add(mainClass);
        // the first class that calls into package mpi settles the API (a class calling both is refused); the
        // reading goes on until a class can reach the Vector API or every class of the program was read
        while (!queue.isEmpty() && seen.size() < MAX_CLASSES && !vectorApi)
        {
            voting = mpjEvidence.isEmpty() && openMpiEvidence.isEmpty();
            final String name = queue.poll();
            final byte[] bytes = classBytes(name);
            if (bytes == null)
            {
                // not on the program's class path: the main class, or a class of Ringfold's jars, is unread
                vectorApi |= name.equals(mainClass) || name.startsWith("dev/ringfold/");
                continue;
            }
            for (final String referenced : readConstantPool(bytes))
            {
                if (seen.add(referenced))
                {
                    queue.add(referenced);
                }
            }
        }
        // stopped at the bound: what was not read might reach the kernels
        vectorApi |= !queue.isEmpty() && seen.size() >= MAX_CLASSES;
    }

    /** Records the class file's votes and returns the classes outside package mpi and the JDK that it names. */
    private List<String> readConstantPool(final byte[] bytes)
    {
        final List<String> classes = new ArrayList<>();
        try
        {
            final DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            if (in.readInt() != 0xCAFEBABE)
            {
                return classes;
            }
            in.readUnsignedShort();
            in.readUnsignedShort();
            final int count = in.readUnsignedShort();
            final String[] utf8 = new String[count];
            final int[] classNameIndex = new int[count];
            final int[] refClass = new int[count];
            final int[] refNameAndType = new int[count];
            final boolean[] isMethod = new boolean[count];
            final int[] natName = new int[count];
            final int[] natDescriptor = new int[count];
            for (int i = 1; i < count; i++)
            {
                final int tag = in.readUnsignedByte();
                switch (tag)
                {
                    case 1 -> utf8[i] = in.readUTF();
                    case 3, 4 -> in.readInt();
                    case 5, 6 ->
                    {
                        in.readLong();
                        i++;
                    }
                    case 7 -> classNameIndex[i] = in.readUnsignedShort();
                    case 8, 16, 19, 20 -> in.readUnsignedShort();
                    case 9, 10, 11 ->
                    {
                        refClass[i] = in.readUnsignedShort();
                        refNameAndType[i] = in.readUnsignedShort();
                        isMethod[i] = tag != 9;
                    }
                    case 12 ->
                    {
                        natName[i] = in.readUnsignedShort();
                        natDescriptor[i] = in.readUnsignedShort();
                    }
                    case 15 ->
                    {
                        in.readUnsignedByte();
                        in.readUnsignedShort();
                    }
                    case 17, 18 -> in.readInt();
                    default ->
                    {
                        return classes;
                    }
                }
            }
            for (int i = 1; i < count; i++)
            {
                if (classNameIndex[i] != 0)
                {
                    final String name = elementClass(utf8[classNameIndex[i]]);
                    vectorApi |= name != null && reachesVectorApi(name);
                    if (name != null && isMpi(name))
                    {
                        if (voting)
                        {
                            voteClass(name.substring(4));
                        }
                    }
                    else if (name != null && !notProgram(name))
                    {
                        classes.add(name);
                    }
                }
                if (refClass[i] != 0 && isMethod[i])
                {
                    final String owner = elementClass(utf8[classNameIndex[refClass[i]]]);
                    if (voting && owner != null && isMpi(owner))
                    {
                        final int nat = refNameAndType[i];
                        voteMethod(owner.substring(4), utf8[natName[nat]], utf8[natDescriptor[nat]]);
                    }
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // not a class file we can read: it casts no vote, and the ranks will report it if it matters
        }
        return classes;
    }

    private void voteClass(final String simpleName)
    {
        if (OPENMPI_CLASSES.contains(simpleName))
        {
            openMpiEvidence.add("class mpi." + simpleName);
        }
        else if (MPJ_CLASSES.contains(simpleName))
        {
            mpjEvidence.add("class mpi." + simpleName);
        }
    }

    private void voteMethod(final String owner, final String name, final String descriptor)
    {
        final String what = "mpi." + owner + "." + name + descriptor;
        if (name.equals("InitThread"))
        {
            openMpiEvidence.add(what);
        }
        else if (MPJ_LOWER_CASE.contains(name))
        {
            mpjEvidence.add(what);
        }
        else if (!NEUTRAL_METHODS.contains(name))
        {
            (Character.isUpperCase(name.charAt(0)) ? mpjEvidence : openMpiEvidence).add(what);
        }
    }

    private static boolean isMpi(final String internalName)
    {
        return internalName.startsWith("mpi/") && internalName.indexOf('/', 4) < 0;
    }

    private static boolean reachesVectorApi(final String internalName)
    {
        for (final String prefix : VECTOR_USERS)
        {
            if (internalName.startsWith(prefix))
            {
                return true;
            }
        }
        return false;
    }

    private static boolean notProgram(final String internalName)
    {
        for (final String prefix : NOT_PROGRAMS)
        {
            if (internalName.startsWith(prefix))
            {
                return true;
            }
        }
        return false;
    }

    /** The class an array descriptor's elements are ("[[Lmpi/Status;" is mpi/Status), null for primitives. */
    private static String elementClass(final String name)
    {
        if (name == null || !name.startsWith("["))
        {
            return name;
        }
        final int l = name.indexOf('L');
        return l < 0 ? null : name.substring(l + 1, name.length() - 1);
    }

    private byte[] classBytes(final String internalName)
    {
        final String file = internalName + ".class";
        for (final Path source : sources)
        {
            try
            {
                if (Files.isDirectory(source))
                {
                    final Path classFile = source.resolve(file);
                    if (Files.isRegularFile(classFile))
                    {
                        return Files.readAllBytes(classFile);
                    }
                }
                else if (Files.isRegularFile(source))
                {
                    final byte[] bytes = fromJar(source, file);
                    if (bytes != null)
                    {
                        return bytes;
                    }
                }
            }
            catch (final IOException ex)
            {
                // an unreadable entry holds nothing the scan can use; the JVM will say what is wrong with it
            }
        }
        return null;
    }

    private byte[] fromJar(final Path jar, final String file) throws IOException
    {
        ZipFile zip = null;
        for (final ZipFile open : openJars)
        {
            if (open.getName().equals(jar.toString()))
            {
                zip = open;
                break;
            }
        }
        if (zip == null)
        {
            zip = new ZipFile(jar.toFile());
            openJars.add(zip);
        }
        final var zipEntry = zip.getEntry(file);
        if (zipEntry == null)
        {
            return null;
        }
        try (var in = zip.getInputStream(zipEntry))
        {
            return in.readAllBytes();
        }
    }

    private void closeJars()
    {
        for (final ZipFile zip : openJars)
        {
            try
            {
                zip.close();
            }
            catch (final IOException ignore)
            {
                // read-only; nothing was written that closing could lose
            }
        }
    }
}
