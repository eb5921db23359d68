package dev.ringfold.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README shows HelloPointToPoint as users type it (no package line); this keeps the two from drifting apart:
 * the README's java block holding "class HelloPointToPoint" must equal the example's source minus its package
 * line. Fix either side, then copy the source into the README.
 */
class ReadmeExampleTest
{
    private static final Path README = Path.of("..", "README.md");
    private static final Path SOURCE = Path.of("src", "main", "java", "dev", "ringfold", "examples",
        "HelloPointToPoint.java");

    @Test
    void readmeShowsTheExampleVerbatim() throws IOException
    {
        final List<String> blocks = javaBlocks(Files.readAllLines(README));
        final List<String> shown = blocks.stream().filter(b -> b.contains("class HelloPointToPoint")).toList();
        assertEquals(1, shown.size(), "README.md should hold exactly one java block with class HelloPointToPoint");
        assertEquals(withoutPackage(Files.readAllLines(SOURCE)), shown.get(0),
            "README.md's example differs from " + SOURCE + " (minus its package line); copy the source over");
    }

    @Test
    void exampleStaysShort()
    {
        final long lines;
        try
        {
            lines = withoutPackage(Files.readAllLines(SOURCE)).lines().count();
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
        assertTrue(lines <= 26, "the README's example has grown to " + lines + " lines; keep it about 20");
    }

    /** The contents of every ```java fenced block. */
    static List<String> javaBlocks(final List<String> lines)
    {
        final List<String> blocks = new ArrayList<>();
        StringBuilder block = null;
        for (final String line : lines)
        {
            if (block == null && line.strip().equals("```java"))
            {
                block = new StringBuilder();
            }
            else if (block != null && line.strip().equals("```"))
            {
                blocks.add(block.toString());
                block = null;
            }
            else if (block != null)
            {
                block.append(line.stripTrailing()).append('\n');
            }
        }
        return blocks;
    }

    /** The source as the README shows it: the package line and the blank lines after it removed. */
    static String withoutPackage(final List<String> lines)
    {
        final StringBuilder text = new StringBuilder();
        boolean skipping = true;
        for (final String line : lines)
        {
            if (skipping && (line.startsWith("package ") || line.isBlank()))
            {
                continue;
            }
            skipping = false;
            text.append(line.stripTrailing()).append('\n');
        }
        return text.toString();
    }
}
