package dev.ringfold.tensors.ranks;

import dev.ringfold.testsupport.DocSnippets;
import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        final int checked = DocSnippets.assertQuotedAsInTheSource(DOC, MARKER,
            m -> DocSnippets.section(TOUR, m.group(1)));
        assertEquals(6, checked, "snippets quoted in " + DOC);
    }
}
