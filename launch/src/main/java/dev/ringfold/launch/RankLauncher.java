package dev.ringfold.launch;

import java.io.IOException;

/**
 * Starts ranks on the hosts of a {@link Placement}. The returned process is the launcher's handle on the rank:
 * its output streams carry the rank's output and its exit is the rank's exit (for a remote launcher, that of the
 * ssh or srun process standing in for it).
 */
interface RankLauncher
{
    Process start(RankCommand command) throws IOException;

    /** The command as a line a user could paste into a shell, for --dry-run. */
    String describe(RankCommand command);
}
