package dev.ringfold.examples;

import dev.ringfold.testsupport.DocSnippets;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

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
            checked += DocSnippets.assertQuotedAsInTheSource(doc, MARKER,
                m -> DocSnippets.section(EXAMPLES.resolve(m.group(1) + ".java"), m.group(2)));
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
}
