package dev.ringfold.launch;

import java.io.File;
import java.io.IOException;
import java.util.Map;

/**
 * Starts ranks as child processes of the launcher. Rank 0 reads the launcher's stdin, as under mpirun; the
 * others read nothing, so that a rank reading System.in cannot steal input meant for rank 0.
 */
final class LocalRankLauncher implements RankLauncher
{
    private static final File NO_INPUT = new File("/dev/null");

    @Override
    public Process start(final RankCommand command) throws IOException
    {
        final ProcessBuilder builder = new ProcessBuilder(command.argv());
        builder.environment().putAll(command.env());
        if (command.workDir() != null)
        {
            builder.directory(command.workDir().toFile());
        }
        builder.redirectInput(command.rank() == 0 ? ProcessBuilder.Redirect.INHERIT :
            ProcessBuilder.Redirect.from(NO_INPUT));
        return builder.start();
    }

    @Override
    public String describe(final RankCommand command)
    {
        final StringBuilder line = new StringBuilder();
        if (command.workDir() != null)
        {
            line.append("cd ").append(ShellQuoting.quote(command.workDir().toString())).append(" && ");
        }
        line.append("env");
        for (final Map.Entry<String, String> var : command.env().entrySet())
        {
            line.append(' ').append(ShellQuoting.quote(var.getKey() + "=" + var.getValue()));
        }
        for (final String arg : command.argv())
        {
            line.append(' ').append(ShellQuoting.quote(arg));
        }
        return line.toString();
    }
}
