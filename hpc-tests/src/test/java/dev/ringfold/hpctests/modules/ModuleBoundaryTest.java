package dev.ringfold.hpctests.modules;

import dev.ringfold.testsupport.Checkout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module boundaries of Ringfold's jars (their module-info.java), as a modular user meets them: the descriptors
 * export the API to everyone and the internals only to Ringfold's own modules, and javac refuses a module outside
 * Ringfold that uses an internal package while it compiles the same module using the API. The modules are those
 * on this test's class path, then the jars of build/lib and build/lib/api (what bin/mpjrun runs) for any that this
 * module does not depend on; test-support is never in build/lib. The compiles run in-process through javax.tools.
 */
final class ModuleBoundaryTest
{
    private static final String RINGFOLD = "dev.ringfold.";
    /** Every Ringfold module. */
    private static final Set<String> MODULES = Set.of("dev.ringfold.mpi", "dev.ringfold.tensors",
        "dev.ringfold.collectives", "dev.ringfold.training", "dev.ringfold.mpj", "dev.ringfold.openmpi",
        "dev.ringfold.launch", "dev.ringfold.examples", "dev.ringfold.bench", "dev.ringfold.testsupport");
    /** The packages of the runtime a program outside Ringfold may use. */
    private static final Set<String> RUNTIME_API = Set.of("dev.ringfold.mpi", "dev.ringfold.mpi.trace");

    /** Module name to the jar or classes folder that holds it, the class path first (fresh), then build/lib. */
    private static final Map<String, Path> FOUND = modulesFound();

    @Test
    void everyRingfoldModuleHasADescriptor()
    {
        final Set<String> found = FOUND.keySet().stream().filter(n -> n.startsWith(RINGFOLD))
            .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(MODULES), found, "Ringfold modules on the class path and in build/lib");
        for (final String name : MODULES)
        {
            assertFalse(descriptor(name).isAutomatic(), name + " is an automatic module: no module-info.class in " +
                FOUND.get(name));
        }
    }

    @Test
    void theRuntimeExportsOnlyItsApiToEveryone()
    {
        final ModuleDescriptor mpi = descriptor("dev.ringfold.mpi");
        final Set<String> toAll = mpi.exports().stream().filter(e -> !e.isQualified())
            .map(ModuleDescriptor.Exports::source).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(RUNTIME_API), toAll, "packages dev.ringfold.mpi exports to every module");
        assertEquals(Set.of("dev.ringfold.collectives", "dev.ringfold.training"),
            qualifiedTargets(mpi, "dev.ringfold.mpi.internal"), "who may use Communicator's internals");
        for (final String transport : List.of("dev.ringfold.mpi.transport", "dev.ringfold.mpi.transport.shm",
            "dev.ringfold.mpi.transport.tcp"))
        {
            assertTrue(mpi.packages().contains(transport), transport + " is in dev.ringfold.mpi");
            assertTrue(mpi.exports().stream().noneMatch(e -> e.source().equals(transport)),
                transport + " is exported; the transports are the runtime's own");
        }
    }

    /** javac only warns of a qualified export to a module it cannot see: a misspelt target would export to nobody. */
    @Test
    void everyQualifiedExportNamesARingfoldModule()
    {
        final Map<String, Set<String>> unknown = new TreeMap<>();
        for (final String name : MODULES)
        {
            for (final ModuleDescriptor.Exports e : descriptor(name).exports())
            {
                for (final String target : e.targets())
                {
                    if (!MODULES.contains(target))
                    {
                        unknown.computeIfAbsent(name + "/" + e.source(), k -> new TreeSet<>()).add(target);
                    }
                }
            }
        }
        assertEquals(Map.of(), unknown, "qualified exports to modules that do not exist");
    }

    @Test
    void aModuleOutsideRingfoldCompilesAgainstTheApi() throws IOException
    {
        final List<String> errors = compileOutside("""
            import dev.ringfold.collectives.Collectives;
            import dev.ringfold.mpi.Communicator;
            import dev.ringfold.mpi.trace.Counters;
            public final class Probe
            {
                static int[] use(final Communicator comm)
                {
                    Collectives.of(comm).barrier();
                    comm.revoke();
                    return Counters.ON ? comm.acknowledgedFailures() : comm.knownFailures();
                }
            }
            """);
        assertEquals(List.of(), errors, "the API, used from a module outside Ringfold");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev.ringfold.mpi.internal.CommunicatorInternals",
        "dev.ringfold.mpi.bootstrap.LaunchEnvironment", "dev.ringfold.mpi.auth.JobSecret",
        "dev.ringfold.mpi.transport.shm.ShmTransport", "dev.ringfold.mpi.transport.mpinative.MpiCollectives"})
    void aModuleOutsideRingfoldCannotUseAnInternalPackage(final String type) throws IOException
    {
        final String pkg = type.substring(0, type.lastIndexOf('.'));
        final List<String> errors = compileOutside("""
            public final class Probe
            {
                static String name()
                {
                    return %s.class.getName();
                }
            }
            """.formatted(type));
        assertTrue(errors.stream().anyMatch(m -> m.contains("package " + pkg + " is not visible")),
            "javac's errors for a module outside Ringfold that uses " + type + ": " + errors);
    }

    /** Compiles module {@code outside} (requires dev.ringfold.collectives) with class outside.Probe; javac's errors. */
    private static List<String> compileOutside(final String probeBody) throws IOException
    {
        final Path dir = Files.createTempDirectory("ringfold-module-probe");
        try
        {
            final Path source = Files.createDirectories(dir.resolve("src/outside"));
            Files.writeString(dir.resolve("src/module-info.java"),
                "module outside { requires dev.ringfold.collectives; }\n");
            Files.writeString(source.resolve("Probe.java"), "package outside;\n" + probeBody);
            final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            final DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null))
            {
                final List<String> options = List.of("-d", dir.resolve("out").toString(), "-proc:none",
                    "--module-path", modulePath("dev.ringfold.collectives"));
                final boolean ok = javac.getTask(null, files, diagnostics, options, null,
                    files.getJavaFileObjects(dir.resolve("src/module-info.java"), source.resolve("Probe.java"))).call();
                final List<String> errors = diagnostics.getDiagnostics().stream()
                    .filter(d -> d.getKind() == Diagnostic.Kind.ERROR).map(d -> d.getMessage(null)).toList();
                assertEquals(ok, errors.isEmpty(), "javac's result and its errors: " + errors);
                return errors;
            }
        }
        finally
        {
            deleteTree(dir);
        }
    }

    /** The class path entries of {@code root} and everything it requires (not the JDK's), as a module path. */
    private static String modulePath(final String root)
    {
        final Set<Path> entries = new java.util.LinkedHashSet<>();
        final Set<String> seen = new java.util.HashSet<>();
        final Deque<String> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty())
        {
            final String name = todo.pop();
            if (!seen.add(name) || ModuleFinder.ofSystem().find(name).isPresent())
            {
                continue;
            }
            final ModuleDescriptor d = descriptor(name);
            entries.add(FOUND.get(name));
            for (final ModuleDescriptor.Requires r : d.requires())
            {
                if (!r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC))
                {
                    todo.push(r.name());
                }
            }
        }
        return entries.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    }

    private static ModuleDescriptor descriptor(final String name)
    {
        final Path entry = FOUND.get(name);
        if (entry == null)
        {
            throw new AssertionError("module " + name + " is neither on the class path nor in build/lib (run make): " +
                FOUND.keySet());
        }
        return ModuleFinder.of(entry).find(name).orElseThrow().descriptor();
    }

    private static Set<String> qualifiedTargets(final ModuleDescriptor d, final String pkg)
    {
        return d.exports().stream().filter(e -> e.source().equals(pkg)).findFirst()
            .map(ModuleDescriptor.Exports::targets)
            .orElseThrow(() -> new AssertionError(d.name() + " does not export " + pkg + " at all"));
    }

    private static Map<String, Path> modulesFound()
    {
        final List<Path> entries = new ArrayList<>();
        for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator))
        {
            entries.add(Path.of(entry));
        }
        for (final Path lib : List.of(Checkout.ROOT.resolve("build/lib"), Checkout.ROOT.resolve("build/lib/api")))
        {
            if (Files.isDirectory(lib))
            {
                try (var jars = Files.list(lib))
                {
                    jars.filter(j -> j.toString().endsWith(".jar")).sorted().forEach(entries::add);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            }
        }
        final Map<String, Path> modules = new LinkedHashMap<>();
        for (final Path path : entries)
        {
            try
            {
                for (final ModuleReference ref : ModuleFinder.of(path).findAll())
                {
                    modules.putIfAbsent(ref.descriptor().name(), path);
                }
            }
            catch (final FindException ex)
            {
                // a jar no module name can be derived from: no module of this test's interest
            }
        }
        return modules;
    }

    private static void deleteTree(final Path dir) throws IOException
    {
        try (var paths = Files.walk(dir))
        {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p ->
            {
                try
                {
                    Files.delete(p);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            });
        }
    }
}
