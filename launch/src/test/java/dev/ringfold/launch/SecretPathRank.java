package dev.ringfold.launch;

import java.nio.file.Files;
import java.nio.file.Path;

/** Prints where mpjrun put the job's secret and whether the file is there: {@code secret=PATH exists=true}. */
public final class SecretPathRank
{
    private SecretPathRank()
    {
    }

    public static void main(final String[] args)
    {
        final String file = System.getenv("RINGFOLD_SECRET_FILE");
        System.out.println("secret=" + file + " exists=" + Files.isRegularFile(Path.of(file)));
    }
}
