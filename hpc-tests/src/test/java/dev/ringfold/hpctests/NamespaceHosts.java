package dev.ringfold.hpctests;

import dev.ringfold.testsupport.Checkout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Test hosts in network namespaces of their own (the Slurm cluster of {@code hpc-tests/slurm}, the ssh hosts of
 * {@code hpc-tests/ssh}), set up and torn down by a pair of root scripts there, and the commands a test runs among
 * them. Their folder is named after the checkout, so two checkouts never share hosts; CI sets the folder's variable so
 * that it can tear down exactly these hosts whatever happens to the test JVM.
 */
public final class NamespaceHosts
{
    private final Path scripts;
    private final String dirVariable;
    private final Path dir;

    /**
     * @param folder      the scripts' folder under hpc-tests ({@code slurm}, {@code ssh}).
     * @param dirVariable the variable that names the hosts' folder, for the scripts and every command.
     */
    public NamespaceHosts(final String folder, final String dirVariable)
    {
        this.scripts = Checkout.ROOT.resolve("hpc-tests").resolve(folder);
        this.dirVariable = dirVariable;
        this.dir = Path.of(System.getenv().getOrDefault(dirVariable,
            "/tmp/ringfold-" + folder + "-" + Integer.toHexString(Checkout.ROOT.toString().hashCode())));
    }

    /** The hosts' folder: their namespaces, host names, commands into them. */
    public Path dir()
    {
        return dir;
    }

    /** Runs the set-up script (skipping the test class unless this JVM runs as root, as .ci/run does). */
    public void up(final String script, final String whyRoot) throws IOException, InterruptedException
    {
        assumeTrue(isRoot(), whyRoot + "; .ci/run runs as root");
        runScript(script, 900);
    }

    /** Runs the tear-down script, where {@link #up} ran. */
    public void down(final String script) throws IOException, InterruptedException
    {
        if (isRoot())
        {
            runScript(script, 120);
        }
    }

    /**
     * Runs a command in the checkout's root with {@code env} added to this JVM's environment, output and errors
     * together; stops it (and its children) by pid when over {@code limitS} and fails the test.
     */
    public Result run(final List<String> cmd, final Map<String, String> env, final long limitS)
        throws IOException, InterruptedException
    {
        final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(Checkout.ROOT.toFile());
        pb.environment().putAll(env);
        pb.environment().put(dirVariable, dir.toString());
        final Path out = Files.createTempFile("ringfold-hosts", ".out");
        pb.redirectOutput(out.toFile());
        final Process p = pb.start();
        try
        {
            if (!p.waitFor(limitS, TimeUnit.SECONDS))
            {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(cmd + " did not end within " + limitS + " s:\n" + Files.readString(out));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        }
        finally
        {
            Files.deleteIfExists(out);
        }
    }

    private void runScript(final String script, final long limitS) throws IOException, InterruptedException
    {
        final Result r = run(List.of("bash", scripts.resolve(script).toString()), Map.of(), limitS);
        assertEquals(0, r.exit(), script + " failed:\n" + r.output());
    }

    private static boolean isRoot()
    {
        return "root".equals(System.getProperty("user.name"));
    }

    /** A command's exit status and its output and errors, in the order written. */
    public record Result(int exit, String output)
    {
    }
}
