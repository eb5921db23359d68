package dev.ringfold.launch;

import dev.ringfold.mpi.JvmFlags;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Start-up help for rank JVMs: a JDK 25 AOT cache (JEP 483) of the classes a rank loads (Ringfold, Agrona, the
 * JDK's networking and memory-mapping classes), made once by {@code make build} with a training job and mapped by
 * every rank, so that a rank starts with those classes already parsed, verified and linked. It is a static archive of
 * the JDK's classes and ours together, made with the ranks' own module flags, where a dynamic CDS archive would
 * sit on the JDK's default archive, part of which those flags turn off (BENCHMARKS.md, "Start-up").
 * There are three: for ranks with the Vector API module ({@link JvmFlags#VECTOR_API}), a cache only applying to a
 * JVM with the module options it was made with (without the module the JVM also keeps the module graph and the
 * classes' linking in the cache); for ranks without it that talk TCP; and for the others (shared memory alone). A
 * JVM loads every class its cache links ahead, so the TCP classes (NIO channels and selectors, the transport) are
 * in a cache of their own rather than in the one a job on one node's shared memory starts with.
 * The cache holds Ringfold's jars as the start of the class path, which is why ranks put them first. A mismatched
 * or missing cache is ignored by the JVM, silently; a stale one is not: JDK 25 does not check that the class path's
 * jars are those it was made from, and a JVM given a cache older than a rebuilt jar runs the cached, old classes.
 * So a cache is used only while it is newer than every jar of the folder ({@link #current}), as {@code bin/mpjrun}
 * does for the launcher's. {@code RINGFOLD_CDS=off} turns it off;
 * {@code RINGFOLD_CDS=dump} makes rank 0 write it (at its exit, which then takes a few seconds).
 */
final class ClassDataSharing
{
    static final String VARIABLE = "RINGFOLD_CDS";
    static final String CACHE = "ringfold-ranks.aot";
    static final String VECTOR_CACHE = "ringfold-ranks-vector.aot";
    static final String TCP_CACHE = "ringfold-ranks-tcp.aot";

    private ClassDataSharing()
    {
    }

    /**
     * The JVM options for a rank, given Ringfold's jar folder (null when the ranks use Maven's class path) and the
     * rank's other JVM options (which say whether it has the Vector API module), and whether its job talks TCP
     * (-dev tcp, or ranks on more than one host).
     */
    static List<String> rankOptions(final Path lib, final int rank, final List<String> jvmOptions,
        final boolean tcp)
    {
        final String mode = System.getenv().getOrDefault(VARIABLE, "on");
        if (lib == null || mode.equals("off"))
        {
            return List.of();
        }
        final Path cache = lib.resolve(jvmOptions.contains(JvmFlags.VECTOR_API) ? VECTOR_CACHE :
            tcp ? TCP_CACHE : CACHE);
        if (mode.equals("dump"))
        {
            return rank == 0 ? List.of("-XX:AOTCacheOutput=" + cache) : List.of();
        }
        return current(cache, lib) ? List.of("-XX:AOTCache=" + cache, "-Xlog:aot=off", "-Xlog:cds=off") :
            List.of();
    }

    /** Whether {@code cache} exists and no jar in {@code lib} or {@code lib/api} was written after it. */
    static boolean current(final Path cache, final Path lib)
    {
        return current(cache, jars(lib));
    }

    /** Whether {@code cache} exists and none of {@code jars} (that exists) was written after it. */
    static boolean current(final Path cache, final List<Path> jars)
    {
        try
        {
            if (!Files.isReadable(cache))
            {
                return false;
            }
            final long made = Files.getLastModifiedTime(cache).toMillis();
            for (final Path jar : jars)
            {
                if (Files.exists(jar) && Files.getLastModifiedTime(jar).toMillis() > made)
                {
                    return false;
                }
            }
            return true;
        }
        catch (final java.io.IOException ex)
        {
            return false; // a folder changing under us: no cache rather than a wrong one
        }
    }

    /** The jars of Ringfold's folder {@code lib} and of {@code lib/api}, as far as they can be listed. */
    static List<Path> jars(final Path lib)
    {
        final List<Path> jars = jarsIn(lib);
        jars.addAll(jarsIn(lib.resolve("api")));
        return jars;
    }

    /**
     * The jars of {@code dir} (what a class path's "dir/*" names), as far as they can be listed: none for a missing
     * folder; a jar written after the listing is newer than the cache next time.
     */
    static List<Path> jarsIn(final Path dir)
    {
        final List<Path> jars = new java.util.ArrayList<>();
        if (Files.isDirectory(dir))
        {
            try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.jar"))
            {
                entries.forEach(jars::add);
            }
            catch (final java.io.IOException ex)
            {
                // a folder changing under us: judged against the jars that could be listed
            }
        }
        return jars;
    }
}
