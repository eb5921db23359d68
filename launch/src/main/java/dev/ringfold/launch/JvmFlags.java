package dev.ringfold.launch;

import java.util.List;

/**
 * The JVM flags every Ringfold process needs on JDK 25: the runtime reaches into jdk.internal.misc and NIO
 * buffers, uses sun.misc.Unsafe through Agrona, calls native code and the Vector API. The same list lives in
 * {@code bin/jvm-flags} (for scripts) and in the root pom's {@code ringfold.jvm.flags} (for tests and benchmarks);
 * JvmFlagsTest fails when the three disagree.
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
}
