package dev.ringfold.launch;

import dev.ringfold.mpi.auth.JobSecret;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts each rank with {@code ssh HOST 'command'}, or as a child process when HOST is this machine's loopback
 * name. The remote host must have the same JDK and Ringfold jars at the same paths (a shared file system, as for
 * MPJ Express and mpirun), and ssh must log in without a prompt (BatchMode). {@code RINGFOLD_SSH} replaces the
 * ssh command and its options (split on blanks), as Open MPI's plm_rsh_agent does, e.g. for another key or port.
 * <p>
 * The job secret never appears on a command line, where every user of the remote host could read it ({@code ps});
 * it is the first line ssh writes to the remote shell's stdin, which reads it into {@code RINGFOLD_SECRET} before
 * it execs java. The launcher's private secret file is local, so it is not passed on. A remote rank's stdin is
 * closed after that line: only ranks on this machine can read the launcher's stdin (rank 0, when it is local).
 */
final class SshRankLauncher implements RankLauncher
{
    static final List<String> SSH = List.of("ssh", "-o", "BatchMode=yes", "-T");
    static final String SSH_VARIABLE = "RINGFOLD_SSH";

    private final LocalRankLauncher local = new LocalRankLauncher();
    private final JobSecret secret;
    private final List<String> ssh;

    /** @param ssh the ssh command and its options, before the host. */
    SshRankLauncher(final JobSecret secret, final List<String> ssh)
    {
        this.secret = secret;
        this.ssh = List.copyOf(ssh);
    }

    /** The ssh command from {@code RINGFOLD_SSH}, else {@link #SSH}. */
    static List<String> sshCommand(final java.util.Map<String, String> env)
    {
        final String given = env.get(SSH_VARIABLE);
        return given == null || given.isBlank() ? SSH : List.of(given.trim().split("\\s+"));
    }

    static boolean isLocal(final String host)
    {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
    }

    @Override
    public Process start(final RankCommand command) throws IOException
    {
        if (isLocal(command.slot().host()))
        {
            return local.start(command);
        }
        final Process process = new ProcessBuilder(argv(command, ssh)).start();
        try (OutputStream in = process.getOutputStream())
        {
            in.write((secret.toHex() + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        catch (final IOException ex)
        {
            // ssh died before reading its input: its exit status tells the launcher what went wrong
        }
        return process;
    }

    @Override
    public String describe(final RankCommand command)
    {
        if (isLocal(command.slot().host()))
        {
            return local.describe(command);
        }
        final List<String> argv = argv(command, ssh);
        final StringBuilder line = new StringBuilder();
        for (final String arg : argv)
        {
            line.append(line.isEmpty() ? "" : " ").append(ShellQuoting.quote(arg));
        }
        return line.append("   # the job secret goes to ssh's stdin").toString();
    }

    /** ssh's argv: the remote command is one word, a shell line quoted for the remote shell. */
    static List<String> argv(final RankCommand command, final List<String> ssh)
    {
        final StringBuilder remote = new StringBuilder();
        if (command.workDir() != null)
        {
            remote.append("cd ").append(ShellQuoting.quote(command.workDir().toString())).append(" && ");
        }
        remote.append("IFS= read -r ").append(JobSecret.VARIABLE).append(" && export ").append(JobSecret.VARIABLE)
            .append(" && exec env");
        for (final Map.Entry<String, String> var : command.env().entrySet())
        {
            if (!var.getKey().equals(JobSecret.FILE_VARIABLE))
            {
                remote.append(' ').append(ShellQuoting.quote(var.getKey() + "=" + var.getValue()));
            }
        }
        for (final String arg : command.argv())
        {
            remote.append(' ').append(ShellQuoting.quote(arg));
        }
        final List<String> argv = new ArrayList<>(ssh);
        argv.add(command.slot().host());
        argv.add(remote.toString());
        return argv;
    }
}
