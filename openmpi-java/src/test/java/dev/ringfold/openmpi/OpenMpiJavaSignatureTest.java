package dev.ringfold.openmpi;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every public class and member of Open MPI 4.1.4's Java API (javap -public of its mpi.jar) is in Ringfold's,
 * with the same modifiers, types and throws clauses; Ringfold adds none but hashCode next to an equals.
 * ({@code native} is left out of the comparison: it is how Open MPI implements a method, not part of the API.)
 */
class OpenMpiJavaSignatureTest
{
    private static final Set<String> ALLOWED_EXTRAS = Set.of("public int hashCode();");

    @Test
    void publicApiIsOpenMpis() throws Exception
    {
        final Path jar = ReferenceJar.find(Path.of("..").toAbsolutePath().normalize());
        final List<String> classes = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile()))
        {
            zip.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class"))
                .forEach(n -> classes.add(n.substring(0, n.length() - 6).replace('/', '.')));
        }
        final Map<String, Set<String>> reference = api(jar.toString(), classes);
        final Map<String, Set<String>> ours = api(Path.of("target/classes").toAbsolutePath().toString(), classes);
        final List<String> differences = new ArrayList<>();
        int members = 0;
        for (final Map.Entry<String, Set<String>> c : reference.entrySet())
        {
            final Set<String> mine = ours.get(c.getKey());
            if (mine == null)
            {
                differences.add("missing class: " + c.getKey());
                continue;
            }
            members += c.getValue().size();
            for (final String m : c.getValue())
            {
                if (!mine.contains(m))
                {
                    differences.add(c.getKey() + ": missing " + m);
                }
            }
            for (final String m : mine)
            {
                if (!c.getValue().contains(m) && !ALLOWED_EXTRAS.contains(m))
                {
                    differences.add(c.getKey() + ": extra " + m);
                }
            }
        }
        assertEquals(List.of(), differences, "Ringfold's mpi package against Open MPI's");
        assertTrue(members > 600, "compared " + members + " members");
    }

    /** javap -public, per public class: its header and its members' lines. */
    private static Map<String, Set<String>> api(final String classPath, final List<String> classes)
    {
        final List<String> args = new ArrayList<>(List.of("-public", "-cp", classPath));
        args.addAll(classes);
        final StringWriter out = new StringWriter();
        final int rc = ToolProvider.findFirst("javap").orElseThrow()
            .run(new PrintWriter(out), new PrintWriter(new StringWriter()), args.toArray(new String[0]));
        assertEquals(0, rc, "javap -public on " + classPath + ":\n" + out);
        final Map<String, Set<String>> api = new LinkedHashMap<>();
        Set<String> current = null;
        for (final String line : out.toString().lines().toList())
        {
            if (line.startsWith("public ") && line.endsWith("{"))
            {
                current = new TreeSet<>();
                api.put(line.replace("native ", ""), current);
            }
            else if (line.endsWith("{"))
            {
                current = null; // a package-private class of the implementation
            }
            else if (current != null && line.startsWith("  "))
            {
                current.add(line.trim().replace("native ", ""));
            }
        }
        return api;
    }
}
