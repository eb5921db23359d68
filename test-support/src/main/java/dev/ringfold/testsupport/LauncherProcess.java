package dev.ringfold.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The launcher's own tests: mpjrun's main class run from the test class path (the module's fresh classes, not
 * build/lib) in a child JVM, the way bin/mpjrun runs it, with its output in files.
 */
public final class LauncherProcess implements AutoCloseable
{
    /** mpjrun's main class, by name: this module depends on no module it serves. */
    public static final String MAIN_CLASS = "dev.ringfold.launch.MpjRun";

    /** The calling module's compiled test classes: the class path of the rank programs its tests start. */
    public static final Path TEST_CLASSES = Checkout.TEST_CLASSES;

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private LauncherProcess(final Process process, final Path stdout, final Path stderr)
    {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * @param dir         where the output files go.
     * @param launcherJvm options for the launcher's own JVM.
     * @param args        mpjrun's arguments.
     */
    public static LauncherProcess start(final Path dir, final List<String> launcherJvm, final String... args)
        throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:TieredStopAtLevel=1");
        command.addAll(launcherJvm);
        command.add("-cp");
        command.add(testClassPath());
        command.add(MAIN_CLASS);
        command.addAll(List.of(args));
        final Path out = dir.resolve("launcher.out");
        final Path err = dir.resolve("launcher.err");
        final Process process = new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
        return new LauncherProcess(process, out, err);
    }

    /** The class path of this test JVM, whether or not Surefire hides it in a manifest-only jar. */
    public static String testClassPath()
    {
        return Checkout.testClassPath();
    }

    public Process process()
    {
        return process;
    }

    public int waitFor(final long seconds) throws InterruptedException
    {
        if (!process.waitFor(seconds, TimeUnit.SECONDS))
        {
            throw new AssertionError("mpjrun did not exit within " + seconds + " s; stderr:\n" + safeRead(stderr));
        }
        return process.exitValue();
    }

    public List<String> stdoutLines() throws IOException
    {
        return Files.readAllLines(stdout);
    }

    public List<String> stderrLines() throws IOException
    {
        return Files.readAllLines(stderr);
    }

    public String stderrText()
    {
        return safeRead(stderr);
    }

    /** The pids the ranks announced ("[r] pid N" lines) by rank, polling until there are {@code count}. */
    public Map<Integer, Long> awaitPids(final int count, final long seconds) throws IOException, InterruptedException
    {
        final Pattern pid = Pattern.compile("^\\[(\\d+)] pid (\\d+)$");
        final long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (true)
        {
            final Map<Integer, Long> pids = new TreeMap<>();
            for (final String line : Files.readAllLines(stdout))
            {
                final Matcher m = pid.matcher(line);
                if (m.matches())
                {
                    pids.put(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)));
                }
            }
            if (pids.size() >= count || System.nanoTime() > deadline)
            {
                return pids;
            }
            Thread.sleep(50);
        }
    }

    private static String safeRead(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final IOException ex)
        {
            return "(unreadable: " + ex + ")";
        }
    }

    /** Never leave a launcher or its ranks behind, whatever the test did. */
    @Override
    public void close()
    {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
