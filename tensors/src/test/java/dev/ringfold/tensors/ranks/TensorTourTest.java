package dev.ringfold.tensors.ranks;

import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
 * docs/tensors.md stays true: the tour it quotes runs on two ranks, and every block after a
 * {@code <!-- tensors-snippet: name -->} line equals the lines between {@code // [snippet name]} and
 * {@code // [end]} in TensorTour.java, less their common indentation. (Its own marker: the examples module's
 * check reads {@code <!-- snippet: ... -->} lines in every doc and looks for the class among the examples.)
 */
class TensorTourTest
{
    private static final Path DOC = Path.of("..", "docs", "tensors.md");
    private static final Path TOUR = Path.of("src", "test", "java", "dev", "ringfold", "tensors", "ranks",
        "TensorTour.java");
    private static final Pattern MARKER = Pattern.compile("^<!-- tensors-snippet: (\\w+) -->$");

    @Test
    @Timeout(120)
    void theTourRunsOnTwoRanks() throws Exception
    {
        final Mpjrun.Result r = Mpjrun.run(2, "auto", List.of(), 60, TensorTour.class);
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(2, r.count("tour done on rank"), r::toString);
        assertEquals(2, r.count("copy into tensor 'a' F32[2,3] from tensor 'b' F32[3,2]: expected shape [2,3], " +
            "given [3,2]"), r::toString);
    }

    @Test
    void quotedSnippetsEqualTheTour() throws IOException
    {
        final List<String> lines = Files.readAllLines(DOC);
        int checked = 0;
        for (int i = 0; i < lines.size(); i++)
        {
            final Matcher m = MARKER.matcher(lines.get(i).strip());
            if (!m.matches())
            {
                continue;
            }
            final String where = "tensors.md line " + (i + 1) + " (" + m.group(1) + ")";
            assertTrue(i + 1 < lines.size() && lines.get(i + 1).strip().equals("```java"),
                where + ": the marker must be followed by a ```java block");
            final StringBuilder shown = new StringBuilder();
            int j = i + 2;
            for (; j < lines.size() && !lines.get(j).strip().equals("```"); j++)
            {
                shown.append(lines.get(j).stripTrailing()).append('\n');
            }
            assertTrue(j < lines.size(), where + ": the java block is not closed");
            assertEquals(section(m.group(1)), shown.toString(), where + " differs from TensorTour; copy it over");
            checked++;
        }
        assertEquals(6, checked, "snippets quoted in " + DOC);
    }

    private static String section(final String name) throws IOException
    {
        final List<String> source = Files.readAllLines(TOUR);
        final int start = source.stream().map(String::strip).toList().indexOf("// [snippet " + name + "]");
        assertTrue(start >= 0, "TensorTour has no section '" + name + "'");
        final List<String> body = new ArrayList<>();
        for (int i = start + 1; !source.get(i).strip().equals("// [end]"); i++)
        {
            body.add(source.get(i).stripTrailing());
        }
        assertFalse(body.isEmpty(), name + " is empty");
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
