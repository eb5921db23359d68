package dev.ringfold.launch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Start-up help for rank JVMs: a class-data-sharing archive of the classes a rank loads (Ringfold, Agrona, the
 * JDK's networking and crypto), made once by {@code make build} with a training job and mapped by every rank, so
 * a rank starts with those classes already parsed and verified ({@code NP=4 hpc-tests/timing/hello-world.sh}: a 4-rank
 * hello took 0.67 s with the archives, 0.94 s without; docs/cluster.md).
 * The archive holds Ringfold's jars as the start of the class path, which is why ranks put them first. A stale or
 * mismatched archive is ignored by the JVM, silently. {@code RINGFOLD_CDS=off} turns it off;
 * {@code RINGFOLD_CDS=dump} makes rank 0 write it.
 */
final class ClassDataSharing
{
    static final String VARIABLE = "RINGFOLD_CDS";
    static final String ARCHIVE = "ringfold-ranks.jsa";

    private ClassDataSharing()
    {
    }

    /** The JVM options for a rank, given Ringfold's jar folder (null when the ranks use Maven's class path). */
    static List<String> rankOptions(final Path lib, final int rank)
    {
        final String mode = System.getenv().getOrDefault(VARIABLE, "on");
        if (lib == null || mode.equals("off"))
        {
            return List.of();
        }
        final Path archive = lib.resolve(ARCHIVE);
        if (mode.equals("dump"))
        {
            return rank == 0 ? List.of("-XX:ArchiveClassesAtExit=" + archive) : List.of();
        }
        return Files.isReadable(archive) ?
            List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off") : List.of();
    }
}
