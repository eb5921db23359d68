package dev.ringfold.launch;

import dev.ringfold.mpi.JvmFlags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
final class DryRunTest
{
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void printsOneShellLinePerRankAndStartsNothing()
    {
        final long childrenBefore = ProcessHandle.current().children().count();
        final int exit = run("-np", "3", "-dev", "tcp", "-wdir", tmp.toString(), "-cp", "/opt/app/classes", "-Xmx1g",
            "-Dgreeting=hello world", "--env", "OMP_NUM_THREADS=1", "--dry-run", "app.Main", "it's", "b");
        assertEquals(0, exit, err());
        assertEquals(childrenBefore, ProcessHandle.current().children().count(), "dry run started a process");

        final List<String> lines = out().lines().toList();
        assertEquals(3, lines.size(), out());
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Pattern shape = Pattern.compile("^cd (\\S+) && env RINGFOLD_RANK=(\\d) RINGFOLD_SIZE=3 " +
            "RINGFOLD_JOB_ID=(j\\d+-[0-9a-f]{6}) 'RINGFOLD_RENDEZVOUS=127\\.0\\.0\\.1:<port>' RINGFOLD_DEV=tcp " +
            "RINGFOLD_LOCAL_RANK=(\\d) 'RINGFOLD_SECRET_FILE=<private 0600 file>' OMP_NUM_THREADS=1 (.*)$");
        String jobId = null;
        for (int rank = 0; rank < 3; rank++)
        {
            final Matcher m = shape.matcher(lines.get(rank));
            assertTrue(m.matches(), lines.get(rank));
            assertEquals(tmp.toString(), m.group(1));
            assertEquals(Integer.toString(rank), m.group(2));
            assertEquals(Integer.toString(rank), m.group(4));
            jobId = jobId == null ? m.group(3) : jobId;
            assertEquals(jobId, m.group(3), "every rank has the same job id");
            // app.Main is not there to read, so mpjrun cannot rule out the kernels: the Vector API module is added
            final String expectedCommand = java + " " + String.join(" ", JvmFlags.ALL) +
                " -Xmx1g '-Dgreeting=hello world' " + RankCommands.SELECTOR_PROVIDER + " -cp " +
                ShellQuoting.quote(RingfoldClassPath.forRanks() + ":/opt/app/classes") + " app.Main 'it'\\''s' b";
            assertEquals(expectedCommand, m.group(5));
        }
    }

    @Test
    void aSelectorProviderTheUserNamesWinsOverTheJdksOwn()
    {
        assertEquals(0, run("-np", "1", "-cp", "/app", "-Djava.nio.channels.spi.SelectorProvider=my.Provider",
            "--dry-run", "Main"), err());
        assertTrue(out().contains(" -Djava.nio.channels.spi.SelectorProvider=my.Provider "), out());
        assertFalse(out().contains(RankCommands.SELECTOR_PROVIDER), out());
    }

    @Test
    void withAMachinesFileEachRankIsShownWithTheHostItStartsOn() throws Exception
    {
        final Path hosts = tmp.resolve("hosts");
        java.nio.file.Files.writeString(hosts, "# two nodes and this one\nnodeA slots=2\nnodeB:1\nlocalhost\n");
        final int exit = run("-np", "4", "-machinesfile", hosts.toString(), "-cp", "/opt/app", "--dry-run", "app.Main",
            "x y");
        assertEquals(0, exit, err());
        final List<String> lines = out().lines().toList();
        assertEquals(4, lines.size(), out());
        final String[] host = {"nodeA", "nodeA", "nodeB"};
        for (int rank = 0; rank < 3; rank++)
        {
            final String line = lines.get(rank);
            final String comment = "   # the job secret goes to ssh's stdin";
            assertTrue(line.endsWith(comment), line);
            // what a shell makes of the line: ssh's own words, then the remote command as one word
            final List<String> words = shellWords(line.substring(0, line.length() - comment.length()));
            assertEquals(List.of("ssh", "-o", "BatchMode=yes", "-T", host[rank]), words.subList(0, 5), line);
            assertEquals(6, words.size(), line);
            final String remote = words.get(5);
            assertTrue(remote.startsWith("IFS= read -r RINGFOLD_SECRET && export RINGFOLD_SECRET && exec env " +
                "RINGFOLD_RANK=" + rank + " RINGFOLD_SIZE=4 RINGFOLD_JOB_ID=j"), remote);
            assertTrue(remote.contains(" RINGFOLD_LOCAL_RANK=" + (rank == 1 ? 1 : 0) + " "), remote);
            assertTrue(!remote.contains("SECRET_FILE") && !remote.matches(".*[0-9a-f]{64}.*"),
                "no secret and no local secret file on a remote command line: " + remote);
            assertTrue(remote.endsWith(" app.Main 'x y'"), remote);
            // the rendezvous listens on every interface and is dialled at this machine's name
            assertTrue(!remote.contains("RINGFOLD_RENDEZVOUS=127.0.0.1"), remote);
        }
        assertTrue(lines.get(3).startsWith("env RINGFOLD_RANK=3 RINGFOLD_SIZE=4 "), "localhost runs locally: " + lines.get(3));
        assertTrue(lines.get(3).contains("'RINGFOLD_SECRET_FILE=<private 0600 file>'"), lines.get(3));
    }

    @Test
    void moreRanksThanSlotsIsAUsageError() throws Exception
    {
        final Path hosts = tmp.resolve("hosts");
        java.nio.file.Files.writeString(hosts, "nodeA:2\n");
        assertEquals(MpjRun.EXIT_USAGE, run("-np", "3", "-machinesfile", hosts.toString(), "--dry-run", "Main"));
        assertTrue(err().startsWith("mpjrun: -np 3 is more than the 2 slots of " + hosts), err());
    }

    private static List<String> shellWords(final String line) throws Exception
    {
        final Process bash = new ProcessBuilder("bash", "-c", "for w in " + line + "; do printf '%s\\0' \"$w\"; done")
            .redirectErrorStream(true).start();
        final String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, bash.waitFor(), out);
        return List.of(out.split("\0"));
    }

    @Test
    void theRingfoldLibFolderComesBeforeTheUserClassPath()
    {
        final String previous = System.setProperty(RingfoldClassPath.LIB_PROPERTY, "/opt/ringfold/lib");
        try
        {
            assertEquals(0, run("-np", "1", "-cp", "/app", "--dry-run", "Main"), err());
            // first, so that the start-up archive (ClassDataSharing) matches the start of every rank's class path
            assertTrue(out().contains(" -cp '/opt/ringfold/lib/*:/app' Main"), out());
        }
        finally
        {
            if (previous == null)
            {
                System.clearProperty(RingfoldClassPath.LIB_PROPERTY);
            }
            else
            {
                System.setProperty(RingfoldClassPath.LIB_PROPERTY, previous);
            }
        }
    }

    @Test
    void badInputExitsWithTwoAndTheUsageLine()
    {
        assertEquals(2, run("-np", "two", "--dry-run", "Main"));
        assertEquals("", out());
        final List<String> lines = err().lines().toList();
        assertEquals(List.of("mpjrun: -np needs a positive whole number, not 'two'", LaunchArguments.USAGE), lines);
    }

    @Test
    void nativeDeviceIsOneMpirunCommandThatPassesTheDeviceAndTheEnvironment()
    {
        final int exit = MpjRun.run(new String[] {"-np", "4", "-dev", "native", "--no-tag-output", "--env",
            "OMP_NUM_THREADS=1", "-cp", "/opt/app/classes", "-Xmx1g", "--dry-run", "app.Main", "a b"}, tmp, Map.of(),
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, exit, err());
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        assertEquals(List.of("mpirun --allow-run-as-root --bind-to none --oversubscribe -np 4 -x RINGFOLD_DEV=native " +
            "-x OMP_NUM_THREADS=1 " + java + " " + String.join(" ", JvmFlags.ALL) + " -Xmx1g -cp " +
            ShellQuoting.quote(RingfoldClassPath.forRanks() + ":/opt/app/classes") + " app.Main 'a b'"), out().lines().toList());
    }

    @Test
    void nativeDeviceInsideASlurmAllocationStartsRanksWithSrunAndPmix()
    {
        final int exit = MpjRun.run(new String[] {"-np", "2", "-dev", "native", "-cp", "/opt/app/classes", "--dry-run",
            "app.Main"}, tmp, Map.of("SLURM_JOB_ID", "7", "SLURM_JOB_NODELIST", "n1", "SLURM_TASKS_PER_NODE", "2"),
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, exit, err());
        assertTrue(out().startsWith("srun --mpi=pmix --ntasks=2 --overlap --kill-on-bad-exit=1 --label " +
            "--export=ALL,RINGFOLD_DEV=native "), out());
    }

    @Test
    void helpGoesToStdoutAndExitsZero()
    {
        assertEquals(0, run("--help"));
        assertTrue(out().startsWith(LaunchArguments.USAGE), out());
        assertEquals("", err());
    }

    private int run(final String... args)
    {
        return MpjRun.run(args, tmp, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out()
    {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err()
    {
        return err.toString(StandardCharsets.UTF_8);
    }
}
