package dev.ringfold.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/** The Main-Class of a jar's manifest, as {@code java -jar} would run it. */
final class JarMainClass
{
    private JarMainClass()
    {
    }

    static String of(final Path jar) throws UsageException
    {
        if (!Files.isRegularFile(jar))
        {
            throw new UsageException("-jar " + jar + ": no such file");
        }
        try (JarFile file = new JarFile(jar.toFile()))
        {
            final Manifest manifest = file.getManifest();
            final String mainClass = manifest == null ? null : manifest.getMainAttributes().getValue("Main-Class");
            if (mainClass == null || mainClass.isBlank())
            {
                throw new UsageException("-jar " + jar + " has no Main-Class in its manifest" +
                    " (use -cp " + jar + " MainClass instead)");
            }
            return mainClass.trim();
        }
        catch (final IOException ex)
        {
            throw new UsageException("-jar " + jar + " cannot be read as a jar: " + ex.getMessage());
        }
    }
}
