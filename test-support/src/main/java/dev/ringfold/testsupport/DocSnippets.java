package dev.ringfold.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Docs that quote code which a test compiles and runs: a {@code ```java} block after a marker line must equal a
 * section of a source file, the lines between {@code // [snippet NAME]} and {@code // [end]} less their common
 * indentation, so that the quoted code can neither drift nor stop compiling.
 */
public final class DocSnippets
{
    private DocSnippets()
    {
    }

    /** Finds the section a marker names (its groups: a class, a section name). */
    @FunctionalInterface
    public interface SectionOfMarker
    {
        String section(Matcher marker) throws IOException;
    }

    /**
     * Fails the test unless every line of {@code doc} that matches {@code marker} is followed by a closed
     * {@code ```java} block equal to the section it names.
     *
     * @return how many blocks were checked.
     */
    public static int assertQuotedAsInTheSource(final Path doc, final Pattern marker, final SectionOfMarker sectionOf)
        throws IOException
    {
        final List<String> lines = Files.readAllLines(doc);
        int checked = 0;
        for (int i = 0; i < lines.size(); i++)
        {
            final Matcher m = marker.matcher(lines.get(i).strip());
            if (!m.matches())
            {
                continue;
            }
            final List<String> names = new ArrayList<>();
            for (int g = 1; g <= m.groupCount(); g++)
            {
                names.add(m.group(g));
            }
            final String where = doc.getFileName() + " line " + (i + 1) + " (" + String.join("#", names) + ")";
            assertTrue(i + 1 < lines.size() && lines.get(i + 1).strip().equals("```java"),
                where + ": the marker must be followed by a ```java block");
            final StringBuilder shown = new StringBuilder();
            int j = i + 2;
            for (; j < lines.size() && !lines.get(j).strip().equals("```"); j++)
            {
                shown.append(lines.get(j).stripTrailing()).append('\n');
            }
            assertTrue(j < lines.size(), where + ": the java block is not closed");
            assertEquals(sectionOf.section(m), shown.toString(),
                where + " differs from its section in the source; copy the section over");
            checked++;
        }
        return checked;
    }

    /** The lines between {@code // [snippet name]} and {@code // [end]} of {@code source}, less their indentation. */
    public static String section(final Path source, final String name) throws IOException
    {
        final List<String> lines = Files.readAllLines(source);
        final int start = lines.stream().map(String::strip).toList().indexOf("// [snippet " + name + "]");
        assertTrue(start >= 0, source.getFileName() + " has no section '" + name + "'");
        final List<String> body = new ArrayList<>();
        for (int i = start + 1; !lines.get(i).strip().equals("// [end]"); i++)
        {
            body.add(lines.get(i).stripTrailing());
        }
        assertFalse(body.isEmpty(), source.getFileName() + "#" + name + " is empty");
        final int indent = body.stream().filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        final StringBuilder text = new StringBuilder();
        for (final String line : body)
        {
            text.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
        }
        return text.toString();
    }
}
