package dev.ringfold.mpi;

import java.util.ArrayList;
import java.util.List;

/**
 * The JVM flags every Ringfold process needs on JDK 25: the runtime reaches into jdk.internal.misc and NIO
 * buffers, uses sun.misc.Unsafe through Agrona, calls native code and the Vector API. The same list lives in
 * {@code bin/jvm-flags} (for scripts) and in the root pom's {@code ringfold.jvm.flags} (for tests and benchmarks);
 * JvmFlagsTest fails when the three disagree.
 * <p>
 * {@link Ringfold#init()} checks them first, so that a rank started by plain {@code java} (an IDE's run button)
 * stops with the list of flags to add rather than with an {@code IllegalAccessError} from deep inside Agrona,
 * and before it has made any file.
 */
public final class JvmFlags
{
    public static final List<String> REQUIRED = List.of(
        "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow",
        "--enable-native-access=ALL-UNNAMED",
        "--add-modules=jdk.incubator.vector");

    private JvmFlags()
    {
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
            ours.isNativeAccessEnabled(),
            ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()};
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
                "command line (an IDE's VM options) all of: " + String.join(" ", REQUIRED) +
                " (the list is also in bin/jvm-flags)");
        }
    }
}
