package dev.ringfold.launch;

import dev.ringfold.testsupport.LauncherProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mpjrun --help and the one table of docs/launching.md list every option and every RINGFOLD_* variable that
 * Ringfold's code reads (found in the sources, so a variable added anywhere without a line in the help and a row
 * in the table fails here); --version and --log-level across real processes.
 */
@Timeout(120)
final class LaunchHelpTest
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern VARIABLE = Pattern.compile("RINGFOLD_[A-Z0-9_]*[A-Z0-9]");

    @TempDir
    Path tmp;

    @Test
    void helpNamesEveryVariableTheCodeReads() throws IOException
    {
        final Set<String> variables = variablesInSources();
        final List<String> missing = variables.stream().filter(v -> !Pattern.compile("\\b" + v + "\\b")
            .matcher(LaunchArguments.HELP).find()).toList();
        assertEquals(List.of(), missing, "variables read in the code that mpjrun --help does not list");
    }

    @Test
    void theDocsTableNamesEveryVariableTheCodeReads() throws IOException
    {
        final String page = Files.readString(ROOT.resolve("docs/launching.md"));
        final int section = page.indexOf("\n## Environment variables\n");
        assertTrue(section >= 0, "docs/launching.md has no section 'Environment variables'");
        final int next = page.indexOf("\n## ", section + 1);
        final String rows = page.substring(section, next < 0 ? page.length() : next).lines()
            .filter(l -> l.startsWith("| `RINGFOLD_")).map(l -> l.substring(0, l.indexOf(" | ", 2)))
            .reduce("", (a, b) -> a + b + "\n");
        final List<String> missing = variablesInSources().stream().filter(v -> !rows.contains("`" + v + "`")).toList();
        assertEquals(List.of(), missing, "variables read in the code without a row in docs/launching.md's table");
    }

    /** Every RINGFOLD_* name in the main sources of every module and in bin/. */
    private static Set<String> variablesInSources() throws IOException
    {
        final Set<String> variables = new TreeSet<>();
        final List<Path> sources = new ArrayList<>();
        try (Stream<Path> modules = Files.list(ROOT))
        {
            for (final Path module : modules.toList())
            {
                final Path main = module.resolve("src/main");
                if (Files.isDirectory(main))
                {
                    try (Stream<Path> files = Files.walk(main))
                    {
                        files.filter(Files::isRegularFile).forEach(sources::add);
                    }
                }
            }
        }
        try (Stream<Path> scripts = Files.list(ROOT.resolve("bin")))
        {
            scripts.forEach(sources::add);
        }
        for (final Path source : sources)
        {
            final Matcher m = VARIABLE.matcher(Files.readString(source));
            while (m.find())
            {
                variables.add(m.group());
            }
        }
        assertTrue(variables.size() > 20, "found only " + variables + " in " + ROOT);
        return variables;
    }

    @Test
    void helpNamesEveryOption()
    {
        final Set<String> options = new TreeSet<>(LaunchArguments.OPTIONS_WITH_VALUE);
        options.addAll(List.of("-jar", "--no-tag-output", "--dry-run", "--version", "--help", "-h", "-help"));
        for (final String option : options)
        {
            assertTrue(Pattern.compile("(?<![\\w-])" + Pattern.quote(option) + "(?![\\w-])")
                .matcher(LaunchArguments.HELP).find(), option + " is missing from mpjrun --help");
        }
    }

    @Test
    void versionNamesRingfoldAndTheJdk() throws Exception
    {
        try (LauncherProcess mpjrun = LauncherProcess.start(tmp, List.of(), "--version"))
        {
            assertEquals(0, mpjrun.waitFor(60), mpjrun.stderrText());
            final String line = String.join("\n", mpjrun.stdoutLines());
            assertTrue(line.matches("Ringfold \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(mpjrun\\), Java " +
                Pattern.quote(Runtime.version().toString()) + " .*"), line);
        }
    }

    @Test
    void logLevelInfoShowsPlacementAndStartUpOfEveryRank() throws Exception
    {
        try (LauncherProcess mpjrun = LauncherProcess.start(tmp, List.of(), "-np", "2", "--log-level", "info",
            "-cp", LauncherProcess.TEST_CLASSES.toString(), JoiningRank.class.getName()))
        {
            assertEquals(0, mpjrun.waitFor(90), mpjrun.stderrText());
            final String err = mpjrun.stderrText();
            assertTrue(err.contains("ringfold[mpjrun] INFO MpjRun: job "), err);
            assertTrue(err.contains("ringfold[mpjrun] INFO MpjRun: rank 1 on "), err);
            for (int rank = 0; rank < 2; rank++)
            {
                assertTrue(err.contains("[" + rank + "] ringfold[" + rank + "] INFO Ringfold: rank " + rank + " of 2 on "),
                    err);
            }
            assertTrue(err.contains("ended with exit code 0"), err);
        }
    }

    @Test
    void byDefaultNothingIsLogged() throws Exception
    {
        try (LauncherProcess mpjrun = LauncherProcess.start(tmp, List.of(), "-np", "2",
            "-cp", LauncherProcess.TEST_CLASSES.toString(), JoiningRank.class.getName()))
        {
            assertEquals(0, mpjrun.waitFor(90), mpjrun.stderrText());
            assertFalse(mpjrun.stderrText().contains("ringfold["), mpjrun.stderrText());
            assertEquals(2, mpjrun.stdoutLines().stream().filter(l -> l.contains("joined as")).count());
        }
    }

    @Test
    void anUnknownLevelIsAUsageError() throws Exception
    {
        try (LauncherProcess mpjrun = LauncherProcess.start(tmp, List.of(), "-np", "2", "--log-level", "loud",
            "-cp", LauncherProcess.TEST_CLASSES.toString(), JoiningRank.class.getName()))
        {
            assertEquals(MpjRun.EXIT_USAGE, mpjrun.waitFor(60));
            assertTrue(mpjrun.stderrText().contains("--log-level loud: use off, error, warning, info, debug or trace"),
                mpjrun.stderrText());
        }
    }
}
