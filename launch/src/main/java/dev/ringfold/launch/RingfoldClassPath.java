package dev.ringfold.launch;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the ranks find Ringfold itself: the jar folder that bin/mpjrun names in {@code ringfold.lib}, else
 * whatever the launcher was started with, which is what happens when it runs from an IDE or Maven's class path.
 * Made absolute, because the ranks may run in another directory (-wdir).
 */
final class RingfoldClassPath
{
    static final String LIB_PROPERTY = "ringfold.lib";

    private RingfoldClassPath()
    {
    }

    /** Ringfold's jar folder that bin/mpjrun named, absolute, or null when the launcher runs from a class path. */
    static Path lib()
    {
        final String lib = System.getProperty(LIB_PROPERTY);
        return lib == null || lib.isBlank() ? null : Path.of(lib).toAbsolutePath().normalize();
    }

    static String forRanks()
    {
        final Path lib = lib();
        if (lib != null)
        {
            return lib + File.separator + "*";
        }
        final List<String> entries = new ArrayList<>();
        for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator))
        {
            if (!entry.isEmpty())
            {
                entries.add(Path.of(entry).toAbsolutePath().normalize().toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
