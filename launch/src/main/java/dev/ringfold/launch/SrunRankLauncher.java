package dev.ringfold.launch;

import dev.ringfold.mpi.auth.JobSecret;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts each rank as a one-task job step on its node: {@code srun --nodes=1 --ntasks=1 --nodelist=NODE
 * --overlap ... java ...}, so that Slurm accounts for it, can signal it, and cleans up after it. Steps overlap:
 * the ranks are started one step each, and without {@code --overlap} a step waits for the CPUs the previous ones
 * hold. The rank's variables travel in srun's environment ({@code --export=ALL}), which Slurm hands to the task
 * over its own munge-authenticated protocol; among them the job secret, as {@code RINGFOLD_SECRET}: a secret file
 * under this node's /tmp would not exist on the others, and a command line is readable by every user.
 */
final class SrunRankLauncher implements RankLauncher
{
    static final String HIDDEN = "<job secret>";

    private final JobSecret secret;

    SrunRankLauncher(final JobSecret secret)
    {
        this.secret = secret;
    }

    @Override
    public Process start(final RankCommand command) throws IOException
    {
        return ProcessStart.start(argv(command), env(command, secret.toHex()), command.workDir(),
            ProcessBuilder.Redirect.from(new File("/dev/null")));
    }

    @Override
    public String describe(final RankCommand command)
    {
        return ProcessStart.describe(argv(command), env(command, HIDDEN), command.workDir());
    }

    private static Map<String, String> env(final RankCommand command, final String secretHex)
    {
        final Map<String, String> env = new LinkedHashMap<>(command.env());
        env.remove(JobSecret.FILE_VARIABLE);
        env.put(JobSecret.VARIABLE, secretHex);
        return env;
    }

    static List<String> argv(final RankCommand command)
    {
        final List<String> argv = new ArrayList<>(List.of("srun", "--nodes=1", "--ntasks=1",
            "--nodelist=" + command.slot().host(), "--overlap", "--kill-on-bad-exit=1", "--export=ALL",
            "--job-name=ringfold-rank-" + command.rank()));
        argv.addAll(command.argv());
        return argv;
    }
}
