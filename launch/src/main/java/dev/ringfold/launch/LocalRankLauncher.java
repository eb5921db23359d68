package dev.ringfold.launch;

import java.io.File;
import java.io.IOException;

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
        return ProcessStart.start(command.argv(), command.env(), command.workDir(),
            command.rank() == 0 ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.from(NO_INPUT));
    }

    @Override
    public String describe(final RankCommand command)
    {
        return ProcessStart.describe(command.argv(), command.env(), command.workDir());
    }
}
