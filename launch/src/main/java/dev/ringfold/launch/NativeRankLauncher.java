package dev.ringfold.launch;

import dev.ringfold.mpi.JvmFlags;
import dev.ringfold.mpi.bootstrap.LaunchEnvironment;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code mpjrun -dev native}: the site's MPI starts the ranks, as the native device needs (MPI must know them
 * from its own launcher). One command starts them all: {@code mpirun --allow-run-as-root --bind-to none
 * --oversubscribe -np N -x RINGFOLD_DEV=native ... java <Ringfold's JVM flags> -cp ... Main args}, or inside a
 * Slurm allocation {@code srun --mpi=pmix -n N ...}. mpirun or srun then supervises them: a rank that fails ends
 * the job, and their exit status is the job's; mpjrun adds the --timeout and passes the output through.
 */
final class NativeRankLauncher
{
    private NativeRankLauncher()
    {
    }

    static int run(final LaunchOptions options, final boolean inSlurm, final PrintStream out, final PrintStream err)
    {
        final List<String> argv = argv(options, inSlurm, Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (options.dryRun())
        {
            final StringBuilder line = new StringBuilder();
            if (options.workDir() != null)
            {
                line.append("cd ").append(ShellQuoting.quote(options.workDir().toString())).append(" && ");
            }
            for (final String arg : argv)
            {
                line.append(line.isEmpty() || line.toString().endsWith("&& ") ? "" : " ").append(ShellQuoting.quote(arg));
            }
            out.println(line);
            return 0;
        }
        final ProcessBuilder builder = new ProcessBuilder(argv);
        if (options.workDir() != null)
        {
            builder.directory(options.workDir().toFile());
        }
        builder.redirectInput(ProcessBuilder.Redirect.INHERIT);
        final Process job;
        try
        {
            job = builder.start();
        }
        catch (final IOException ex)
        {
            err.println("mpjrun: -dev native needs " + argv.get(0) + " (Open MPI's mpirun, or Slurm's srun with " +
                "PMIx) on the PATH: " + ex.getMessage());
            return 1;
        }
        // whole lines, each under the console's lock: copying raw chunks of the two streams mixed them within a line
        final Console console = new Console(out, err);
        final Thread stdout = LinePump.start(job.getInputStream(), "", console, false, "mpjrun-native-out");
        final Thread stderr = LinePump.start(job.getErrorStream(), "", console, true, "mpjrun-native-err");
        final Thread hook = new Thread(() -> stop(job), "mpjrun-native-abort");
        Runtime.getRuntime().addShutdownHook(hook);
        try
        {
            final boolean finished = options.timeoutMs() > 0 ? job.waitFor(options.timeoutMs(), TimeUnit.MILLISECONDS) :
                job.waitFor() >= Integer.MIN_VALUE;
            if (!finished)
            {
                console.message("job did not finish within --timeout; stopping " + argv.get(0) + " and its ranks");
                stop(job);
                return Job.EXIT_TIMEOUT;
            }
            stdout.join();
            stderr.join();
            return job.exitValue();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            stop(job);
            return 1;
        }
        finally
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException ignore)
            {
                // shutting down: the hook is running
            }
        }
    }

    static List<String> argv(final LaunchOptions options, final boolean inSlurm, final String java)
    {
        final List<String> argv = new ArrayList<>();
        if (inSlurm)
        {
            argv.addAll(List.of("srun", "--mpi=pmix", "--ntasks=" + options.np(), "--overlap", "--kill-on-bad-exit=1"));
            if (options.tagOutput())
            {
                argv.add("--label");
            }
            final StringBuilder export = new StringBuilder("--export=ALL," + LaunchEnvironment.DEV + "=native");
            for (final Map.Entry<String, String> e : options.extraEnv().entrySet())
            {
                export.append(',').append(e.getKey()).append('=').append(e.getValue());
            }
            argv.add(export.toString());
        }
        else
        {
            argv.addAll(List.of("mpirun", "--allow-run-as-root", "--bind-to", "none", "--oversubscribe",
                "-np", Integer.toString(options.np())));
            if (options.hosts() != null)
            {
                final List<String> hosts = new ArrayList<>();
                for (final Hostfile.Host host : options.hosts())
                {
                    hosts.add(host.name() + ":" + host.slots());
                }
                argv.addAll(List.of("--host", String.join(",", hosts)));
            }
            if (options.tagOutput())
            {
                argv.add("--tag-output");
            }
            argv.addAll(List.of("-x", LaunchEnvironment.DEV + "=native"));
            for (final Map.Entry<String, String> e : options.extraEnv().entrySet())
            {
                argv.addAll(List.of("-x", e.getKey() + "=" + e.getValue()));
            }
        }
        argv.add(java);
        argv.addAll(JvmFlags.REQUIRED);
        // rank 1's options: the shared archive if there is one, never the dump that rank 0 alone would write
        argv.addAll(ClassDataSharing.rankOptions(RingfoldClassPath.lib(), 1, options.jvmOptions(), false));
        argv.addAll(options.jvmOptions());
        final List<String> classPath = new ArrayList<>();
        classPath.add(RingfoldClassPath.forRanks());
        classPath.addAll(options.userClassPath());
        argv.add("-cp");
        argv.add(String.join(File.pathSeparator, classPath));
        argv.add(options.mainClass());
        argv.addAll(options.programArgs());
        return argv;
    }

    private static void stop(final Process job)
    {
        job.descendants().forEach(ProcessHandle::destroy);
        job.destroy();
        try
        {
            if (!job.waitFor(5, TimeUnit.SECONDS))
            {
                job.descendants().forEach(ProcessHandle::destroyForcibly);
                job.destroyForcibly();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
