package dev.ringfold.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Code quoted in docs/*.md stays true: a line {@code <!-- snippet: Class#name -->} followed by a java block in a
 * doc must equal the lines between {@code // [snippet name]} and {@code // [end]} in
 * examples/src/main/java/dev/ringfold/examples/Class.java, less their common indentation. Change the example,
 * run it, then copy the section over.
 */
class DocSnippetsTest
{
    private static final Path DOCS = Path.of("..", "docs");
    private static final Path EXAMPLES = Path.of("src", "main", "java", "dev", "ringfold", "examples");
    private static final Pattern MARKER = Pattern.compile("^<!-- snippet: (\\w+)#(\\w+) -->$");

    @Test
    void quotedSnippetsEqualTheExamples() throws IOException
    {
        final List<Path> docs;
        try (Stream<Path> files = Files.list(DOCS))
        {
            docs = files.filter(f -> f.toString().endsWith(".md")).sorted().toList();
        }
        int checked = 0;
        for (final Path doc : docs)
        {
            final List<String> lines = Files.readAllLines(doc);
            for (int i = 0; i < lines.size(); i++)
            {
                final Matcher m = MARKER.matcher(lines.get(i).strip());
                if (!m.matches())
                {
                    continue;
                }
                final String where = doc.getFileName() + " line " + (i + 1) + " (" + m.group(1) + "#" + m.group(2) + ")";
                assertTrue(i + 1 < lines.size() && lines.get(i + 1).strip().equals("```java"),
                    where + ": the marker must be followed by a ```java block");
                final StringBuilder shown = new StringBuilder();
                int j = i + 2;
                for (; j < lines.size() && !lines.get(j).strip().equals("```"); j++)
                {
                    shown.append(lines.get(j).stripTrailing()).append('\n');
                }
                assertTrue(j < lines.size(), where + ": the java block is not closed");
                assertEquals(section(m.group(1), m.group(2)), shown.toString(),
                    where + " differs from the example's section; copy the section over");
                checked++;
            }
        }
        assertTrue(checked > 0, "no snippet markers found in " + DOCS);
    }

    /** Every java block of the data-parallel page quotes an example, so none of its code can drift or not compile. */
    @Test
    void everyJavaBlockOfTheDataParallelPageIsQuoted() throws IOException
    {
        final List<String> lines = Files.readAllLines(DOCS.resolve("data-parallel.md"));
        int blocks = 0;
        for (int i = 0; i < lines.size(); i++)
        {
            if (lines.get(i).strip().equals("```java"))
            {
                blocks++;
                assertTrue(i > 0 && MARKER.matcher(lines.get(i - 1).strip()).matches(),
                    "data-parallel.md line " + (i + 1) + ": a java block without a <!-- snippet: Class#name --> marker");
            }
        }
        assertTrue(blocks >= 4, "data-parallel.md has only " + blocks + " java blocks");
    }

    /** The lines between the section's markers, less their common indentation. */
    static String section(final String className, final String name) throws IOException
    {
        final List<String> source = Files.readAllLines(EXAMPLES.resolve(className + ".java"));
        final int start = source.stream().map(String::strip).toList().indexOf("// [snippet " + name + "]");
        assertTrue(start >= 0, className + ".java has no section '" + name + "'");
        final List<String> body = new ArrayList<>();
        for (int i = start + 1; !source.get(i).strip().equals("// [end]"); i++)
        {
            body.add(source.get(i).stripTrailing());
        }
        assertFalse(body.isEmpty(), className + "#" + name + " is empty");
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
