package dev.ringfold.mpi;

import java.util.ArrayList;
import java.util.List;

/**
 * The JVM flags Ringfold processes need on JDK 25: the runtime reaches into jdk.internal.misc and NIO buffers, uses
 * sun.misc.Unsafe through Agrona and calls native code ({@link #REQUIRED}); the tensors' vector kernels (GEMM, the
 * layers, BF16/F16 reductions) use the Vector API ({@link #VECTOR_API}), while the other reductions, and with them
 * the collectives of every other dtype, fall back to plain Java loops without it. {@link #ALL} lives in {@code bin/jvm-flags} (for scripts
 * and plain {@code java} starts) and in the root pom's {@code ringfold.jvm.flags} (for tests and benchmarks);
 * JvmFlagsTest fails when they disagree.
 * <p>
 * The Vector API module is kept apart because adding it costs every JVM at start-up: an incubator module turns off
 * the archived module graph and with it the AOT cache's linked classes (BENCHMARKS.md, "Start-up"). mpjrun adds it
 * only for programs whose classes reach the kernels (the launch module's {@code MpiApiUse}).
 * <p>
 * {@link Ringfold#init()} checks {@link #REQUIRED} first, so that a rank started by plain {@code java} (an IDE's
 * run button) stops with the list of flags to add rather than with an {@code IllegalAccessError} from deep inside
 * Agrona, and before it has made any file.
 */
public final class JvmFlags
{
    /** What the runtime (package dev.ringfold.mpi) needs; {@link Ringfold#init()} refuses to start without it. */
    public static final List<String> REQUIRED = List.of(
        "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow",
        "--enable-native-access=ALL-UNNAMED");

    /** What the tensors' vector kernels need besides {@link #REQUIRED}. */
    public static final String VECTOR_API = "--add-modules=jdk.incubator.vector";
    public static final String VECTOR_MODULE = "jdk.incubator.vector";

    /** {@link #REQUIRED} and {@link #VECTOR_API}: what bin/jvm-flags lists, enough for every Ringfold program. */
    public static final List<String> ALL = withVectorApi(REQUIRED);

    private JvmFlags()
    {
    }

    private static List<String> withVectorApi(final List<String> flags)
    {
        final List<String> all = new ArrayList<>(flags);
        all.add(VECTOR_API);
        return List.copyOf(all);
    }

    /** The flags of {@link #REQUIRED} this JVM was started without, in that order; empty when it has them all. */
    public static List<String> missing()
    {
        final Module base = Object.class.getModule();
        final Module ours = JvmFlags.class.getModule();
        final boolean[] present = {
            base.isExported("jdk.internal.misc", ours),
            base.isOpen("java.nio", ours),
            // the JVM turns --sun-misc-unsafe-memory-access=V into this property
            "allow".equals(System.getProperty("sun.misc.unsafe.memory.access")),
            ours.isNativeAccessEnabled()};
        final List<String> missing = new ArrayList<>();
        for (int i = 0; i < present.length; i++)
        {
            if (!present[i])
            {
                missing.add(REQUIRED.get(i));
            }
        }
        return missing;
    }

    /** Whether this JVM was started with the Vector API module ({@link #VECTOR_API}). */
    public static boolean hasVectorApi()
    {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /**
     * Throws, naming the missing flags and where to add them, unless this JVM has every flag of {@link #REQUIRED}.
     *
     * @throws IllegalStateException when a flag is missing.
     */
    public static void requireAll()
    {
        final List<String> missing = missing();
        if (!missing.isEmpty())
        {
            throw new IllegalStateException("Ringfold needs JVM flags this JVM was started without: " +
                String.join(" ", missing) + ". Start ranks with bin/mpjrun (it adds them), or add to the java " +
                "command line (an IDE's VM options) all of: " + String.join(" ", ALL) +
                " (the list is also in bin/jvm-flags)");
        }
    }

    /**
     * Throws unless this JVM has the Vector API module: called before the first vector kernel is linked, so that a
     * program that reaches the kernels without it gets this rather than a {@code NoClassDefFoundError}.
     *
     * @param what the kernels about to be used, for the message.
     * @throws IllegalStateException when the module is missing.
     */
    public static void requireVectorApi(final String what)
    {
        if (!hasVectorApi())
        {
            throw new IllegalStateException(what + " need the Vector API module, and this JVM was started " +
                "without " + VECTOR_API + ". bin/mpjrun adds it when the program's classes refer to code that " +
                "needs it; for a program that reaches that code otherwise (by reflection, a service loader, or " +
                "BF16/F16 data through the collectives) pass it to mpjrun as a JVM option: bin/mpjrun " +
                VECTOR_API + " ...; a plain java start needs all of bin/jvm-flags");
        }
    }
}
