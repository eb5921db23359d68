package dev.ringfold.hpctests.install;

import dev.ringfold.testsupport.Checkout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ringfold as a dependency of someone else's Maven project: {@code make install} (the {@code install} profile)
 * into a private local repository puts every library, the BOM and their sources and javadoc jars there; the
 * project in hpc-tests/external-project, which imports the BOM, builds against them and runs on 2 ranks under
 * bin/mpjrun with only the jars Maven resolved for it.
 * <p>
 * The install runs on a copy of the sources under target/, so it never rewrites the jars this build's own tests
 * run from, and into target/external/m2, never the shared ~/.m2. Its downloads come from ~/.m2 itself, named as
 * a file:// mirror of every remote repository; the plugins only the install uses are fetched into ~/.m2 first.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
final class ExternalProjectTest
{
    private static final Path WORK = Path.of("target/external").toAbsolutePath();
    private static final String VERSION = "0.1.0-SNAPSHOT";
    private static final List<String> LIBRARIES = List.of(
        "ringfold-mpi", "ringfold-tensors", "ringfold-collectives", "ringfold-training", "ringfold-mpj",
        "ringfold-launch", "ringfold-examples");
    /** Never copied: build outputs. */
    private static final Set<String> SKIPPED = Set.of("target", "build", ".git");

    @Test
    void aProjectBuildsAgainstTheInstalledLibrariesAndRunsOnTwoRanks() throws Exception
    {
        deleteTree(WORK);
        final Path source = WORK.resolve("ringfold");
        final Path repo = WORK.resolve("m2");
        final Path settings = WORK.resolve("settings.xml");
        copySources(Checkout.ROOT, source);
        Files.writeString(settings, """
            <settings>
              <mirrors>
                <mirror><id>this-machine</id><mirrorOf>*</mirrorOf><url>%s</url></mirror>
              </mirrors>
            </settings>
            """.formatted(Path.of(System.getProperty("user.home"), ".m2", "repository").toUri()));

        // the install profile's plugins (sources and javadoc jars) into ~/.m2 first, from the remote repositories
        // where this machine has never run them: the install below reads ~/.m2 as its only mirror
        final Result plugins = run(source, List.of("mvn", "-B", "-ntp", "-q", "-Pinstall", "dependency:resolve-plugins"));
        assertEquals(0, plugins.exitCode(), plugins.output());

        final String maven = "-Dmaven.repo.local=" + repo;
        final Result install = run(source, List.of("make", "install", "INSTALL_REPO=" + repo,
            "MVN_FLAGS=-B -ntp -s " + settings));
        assertEquals(0, install.exitCode(), install.output());

        final Path installed = repo.resolve("dev/ringfold");
        assertTrue(Files.isRegularFile(installed.resolve("ringfold-bom/" + VERSION + "/ringfold-bom-" + VERSION + ".pom")),
            "no BOM in " + installed);
        for (final String library : LIBRARIES)
        {
            for (final String suffix : List.of(".jar", "-sources.jar", "-javadoc.jar"))
            {
                final Path jar = installed.resolve(library + "/" + VERSION + "/" + library + "-" + VERSION + suffix);
                assertTrue(Files.isRegularFile(jar), "not installed: " + jar);
            }
        }
        for (final String notLibrary : List.of("ringfold-hpc-tests", "ringfold-bench", "ringfold-distribution"))
        {
            assertTrue(!Files.exists(installed.resolve(notLibrary)), notLibrary + " is not a library to install");
        }

        final Path app = WORK.resolve("app");
        copyTree(Checkout.ROOT.resolve("hpc-tests/external-project"), app);
        final Result build = run(app, List.of("mvn", "-B", "-ntp", "-s", settings.toString(), maven, "package",
            "dependency:copy-dependencies", "-DincludeScope=runtime", "-DoutputDirectory=target/lib"));
        assertEquals(0, build.exitCode(), build.output());

        // the ranks and the launcher use only what Maven resolved for the project (RINGFOLD_LIB), not build/lib
        final Result job = run(app, List.of(Checkout.ROOT.resolve("bin/mpjrun").toString(), "-np", "2", "--timeout", "120",
            "-cp", "target/classes", "example.RingSum"), Map.of("RINGFOLD_LIB", app.resolve("target/lib").toString()));
        assertEquals(0, job.exitCode(), job.output());
        assertTrue(job.output().contains("[0] rank 0 of 2: left sent 2, sum 3.0"), job.output());
        assertTrue(job.output().contains("[1] rank 1 of 2: left sent 1, sum 3.0"), job.output());
        deleteTree(WORK);
    }

    private record Result(int exitCode, String output)
    {
    }

    private static Result run(final Path dir, final List<String> command) throws IOException, InterruptedException
    {
        return run(dir, command, Map.of());
    }

    private static Result run(final Path dir, final List<String> command, final Map<String, String> env)
        throws IOException, InterruptedException
    {
        final ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        final Process process = builder.start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(12, TimeUnit.MINUTES))
        {
            process.destroyForcibly();
        }
        final String tail = output.length() > 8000 ? "…" + output.substring(output.length() - 8000) : output;
        return new Result(process.waitFor(), String.join(" ", command) + "\n" + tail);
    }

    private static void copySources(final Path root, final Path to) throws IOException
    {
        Files.walkFileTree(root, new SimpleFileVisitor<>()
        {
            @Override
            public FileVisitResult preVisitDirectory(final Path dir, final BasicFileAttributes attrs) throws IOException
            {
                final String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                if (!dir.equals(root) && (SKIPPED.contains(name)))
                {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(root.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
            {
                Files.copy(file, to.resolve(root.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void copyTree(final Path from, final Path to) throws IOException
    {
        try (var paths = Files.walk(from))
        {
            for (final Path path : (Iterable<Path>) paths::iterator)
            {
                final Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path))
                {
                    Files.createDirectories(target);
                }
                else
                {
                    Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteTree(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (var paths = Files.walk(dir))
        {
            final List<Path> all = new ArrayList<>(paths.toList());
            java.util.Collections.reverse(all);
            for (final Path path : all)
            {
                Files.delete(path);
            }
        }
    }
}
