package dev.ringfold.launch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What every local process start of a launcher shares: the process with its environment, working directory and
 * stdin, and the same start as a shell line for --dry-run, so that the line shown is the process started.
 */
final class ProcessStart
{
    private ProcessStart()
    {
    }

    static Process start(
        final List<String> argv, final Map<String, String> env, final Path workDir, final ProcessBuilder.Redirect input)
        throws IOException
    {
        final ProcessBuilder builder = new ProcessBuilder(argv);
        builder.environment().putAll(env);
        if (workDir != null)
        {
            builder.directory(workDir.toFile());
        }
        builder.redirectInput(input);
        return builder.start();
    }

    static String describe(final List<String> argv, final Map<String, String> env, final Path workDir)
    {
        final StringBuilder line = new StringBuilder();
        if (workDir != null)
        {
            line.append("cd ").append(ShellQuoting.quote(workDir.toString())).append(" && ");
        }
        line.append("env");
        for (final Map.Entry<String, String> var : env.entrySet())
        {
            line.append(' ').append(ShellQuoting.quote(var.getKey() + "=" + var.getValue()));
        }
        for (final String arg : argv)
        {
            line.append(' ').append(ShellQuoting.quote(arg));
        }
        return line.toString();
    }
}
