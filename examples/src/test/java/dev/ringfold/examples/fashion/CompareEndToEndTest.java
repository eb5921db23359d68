package dev.ringfold.examples.fashion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code bin/ringfold-compare --quick} end to end on 4 real ranks (a small synthetic data set in Fashion-MNIST's
 * files): every strategy trains and is measured, the scaling and crossover experiments run, and the table, JSON
 * lines and plots come out with every cell measured and consistent with the strategy's shape. Then
 * {@code --failure-only}: one rank of each strategy SIGKILLed mid-training, and what each did about it.
 */
class CompareEndToEndTest
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    @Timeout(value = 1500, unit = TimeUnit.SECONDS)
    void everyStrategyIsMeasuredOnEveryPoint(@TempDir final Path dir) throws Exception
    {
        final Path out = dir.resolve("out");
        check(out, compare(dir, out));
    }

    @Test
    @Timeout(value = 1500, unit = TimeUnit.SECONDS)
    void everyStrategyLosesARank(@TempDir final Path dir) throws Exception
    {
        final Path out = dir.resolve("out");
        final String output = compare(dir, out, "--failure-only");
        final ObjectMapper json = new ObjectMapper();
        final Set<String> experiments = new HashSet<>();
        for (final String line : Files.readAllLines(out.resolve("compare.jsonl")))
        {
            final JsonNode node = json.readTree(line);
            assertEquals("failure", node.path("type").asText(), line);
            checkFailure(node, output);
            experiments.add(node.path("strategy").asText() +
                (node.has("how") ? " " + node.path("how").asText() : ""));
        }
        assertEquals(Set.of("dp-allreduce", "dp-allreduce elastic", "ps-sync", "ps-async", "gpipe", "1f1b", "2d"),
            experiments, output);
        final String table = Files.readString(out.resolve("compare-table.md"));
        assertTrue(table.contains("the failure experiments took"), table);
    }

    /** {@code bin/ringfold-compare -np 4 --quick} with more options on synthetic data; returns its output. */
    private static String compare(final Path dir, final Path out, final String... options) throws Exception
    {
        assumeTrue(Files.exists(ROOT.resolve("build/lib/ringfold-examples-0.1.0-SNAPSHOT.jar")),
            "run 'make build' first: bin/ringfold-compare runs from build/lib");
        final Path data = SyntheticFashion.writeDataFolder(dir, 1536, 500, 11);
        final Path log = dir.resolve("log.txt");
        final List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/ringfold-compare").toString(), "-np",
            "4", "--quick", "--out", out.toString(), "--data", data.toString()));
        command.addAll(List.of(options));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
            .start();
        try
        {
            if (!process.waitFor(1400, TimeUnit.SECONDS))
            {
                fail(command + " did not finish:\n" + Files.readString(log));
            }
            final String output = Files.readString(log);
            assertEquals(0, process.exitValue(), output);
            return output;
        }
        finally
        {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static void check(final Path out, final String output) throws Exception
    {
        final ObjectMapper json = new ObjectMapper();
        final List<JsonNode> lines = new ArrayList<>();
        for (final String line : Files.readAllLines(out.resolve("compare.jsonl")))
        {
            lines.add(json.readTree(line));
        }
        final Set<String> trained = new HashSet<>();
        final Set<Integer> scaledDataParallel = new HashSet<>();
        int crossovers = 0;
        int failures = 0;
        for (final JsonNode line : lines)
        {
            assertFalse(line.has("skipped") && line.path("type").asText().equals("strategy"), line.toString());
            switch (line.path("type").asText())
            {
                case "strategy" -> trained.add(checkStrategy(line));
                case "scaling" ->
                {
                    if (!line.has("skipped"))
                    {
                        assertTrue(line.path("samplesPerSecond").asDouble() > 0, line.toString());
                        if (line.path("strategy").asText().equals("dp-allreduce"))
                        {
                            scaledDataParallel.add(line.path("ranks").asInt());
                        }
                    }
                }
                case "crossover" ->
                {
                    assertTrue(line.path("bytesPerStepPerRank").asDouble() > 0, line.toString());
                    crossovers++;
                }
                case "failure" ->
                {
                    failures++;
                    checkFailure(line, output);
                }
                case "run" -> assertEquals(4, line.path("ranks").asInt(), line.toString());
                default -> fail("unknown line " + line);
            }
        }
        assertEquals(Set.of("dp-allreduce", "ps-sync", "ps-async", "gpipe", "1f1b", "2d"), trained, output);
        assertEquals(Set.of(1, 2, 4), scaledDataParallel, output);
        assertEquals(8, crossovers, output);
        assertEquals(0, failures, output); // only with --failure
        final String table = Files.readString(out.resolve("compare-table.md"));
        for (final String row : table.lines().filter(l -> l.startsWith("| ")).toList())
        {
            assertFalse(row.contains("NaN") || row.contains("| |") || row.contains("Infinity"), row);
        }
        assertTrue(table.contains("| node failure |") && table.contains("not measured (ringfold-compare --failure"),
            table);
        for (final String plot : List.of("accuracy", "scaling", "loss", "timeline", "crossover"))
        {
            final String svg = Files.readString(out.resolve(plot + ".svg"));
            assertTrue(svg.startsWith("<svg") && (svg.contains("<polyline") || svg.contains("<rect x=")), plot);
        }
    }

    /** One strategy's measurements: all there, and what its shape says must be zero is zero, the rest not. */
    private static String checkStrategy(final JsonNode s)
    {
        final String name = s.path("strategy").asText();
        final boolean ps = name.startsWith("ps");
        final boolean pipeline = name.equals("gpipe") || name.equals("1f1b") || name.equals("2d");
        final boolean replicated = !pipeline || name.equals("2d");
        assertEquals(4, s.path("perRank").size(), s.toString());
        for (final JsonNode r : s.path("perRank"))
        {
            for (final String field : StrategyRun.FIELDS)
            {
                final double v = r.path(field).asDouble(Double.NaN);
                assertTrue(Double.isFinite(v) && v >= 0, name + " rank " + r.path("rank") + " " + field + " = " + v);
            }
            final String where = name + " rank " + r.path("rank").asInt() + ": ";
            assertTrue(r.path("steps").asDouble() > 0, where + "steps");
            assertTrue(r.path("sentBytes").asDouble() > 0 && r.path("receivedBytes").asDouble() > 0, where + "bytes");
            assertEquals(r.path("sentBytes").asDouble() + r.path("receivedBytes").asDouble() +
                r.path("sharedReadBytes").asDouble() + r.path("sharedWrittenBytes").asDouble(),
                r.path("parameterTraffic").asDouble() + r.path("gradientTraffic").asDouble() +
                r.path("activationTraffic").asDouble(), 0.5, where + "the kinds of bytes add up to the bytes");
            assertEquals(ps, r.path("parameterTraffic").asDouble() > 0, where + "parameters move only to a server");
            assertEquals(replicated, r.path("gradientTraffic").asDouble() > 0,
                where + "gradients move between replicas");
            assertEquals(pipeline, r.path("activationTraffic").asDouble() > 0,
                where + "activations move in a pipeline");
            if (r.path("role").asInt() != StrategyRun.ROLE_SERVER)
            {
                assertTrue(r.path("computeNanos").asDouble() > 0 && r.path("lastStepNanos").asDouble() > 0, where +
                    "compute and step times");
                assertTrue(r.path("activationBytes").asDouble() > 0, where + "activations held");
            }
        }
        // every replica holds the whole model once: across the ranks of a replica (a server: its shard) it is there
        double held = 0;
        for (final JsonNode r : s.path("perRank"))
        {
            held += r.path("role").asInt() == StrategyRun.ROLE_WORKER ? 0 : r.path("parameterBytes").asDouble();
        }
        final int stages = ps ? 1 : s.path("stages").asInt();
        assertEquals(4.0 * s.path("parameters").asLong() * (ps ? 1 : 4 / stages), held, 0.5,
            name + ": parameters held");
        if (name.equals("dp-allreduce"))
        {
            // a ring all-reduce of the whole gradient: 2(p-1)/p of its bytes out, as many in, per rank and step
            final double gradientBytes = 4.0 * s.path("parameters").asLong();
            for (final JsonNode r : s.path("perRank"))
            {
                final double perStep = r.path("sentBytes").asDouble() / r.path("steps").asDouble();
                assertEquals(2.0 * 3 / 4 * gradientBytes, perStep, gradientBytes * 0.01, s.toString());
            }
        }
        assertTrue(s.path("epochs").size() == 1 && s.path("epochs").get(0).path("accuracy").asDouble() > 0.1,
            name + " learned something: " + s.path("epochs"));
        assertTrue(s.path("lossCurve").size() > 0, name + " loss curve");
        assertTrue(s.path("samplesPerSecond").asDouble() > 0, name + " samples/s");
        return name;
    }

    /**
     * The survivors' next step is timed (0.1 s resolution): it can print 0.0 where a survivor was a step ahead and
     * did not wait (asynchronous parameter server), so "went on" is a time that is there (as CompareReport reads it), not one above zero.
     */
    private static boolean wentOn(final JsonNode line)
    {
        return line.path("continuedSeconds").isNumber() && line.path("continuedSeconds").asDouble() >= 0;
    }

    /**
     * A rank was killed, and then: a checkpointed strategy came back from its last checkpoint before the kill and
     * finished (exit 0); elastic data parallel went on without it; a parameter server either stopped with a
     * failure or went on without the worker.
     */
    private static void checkFailure(final JsonNode line, final String output)
    {
        final String where = line + "\n" + output;
        assertTrue(line.path("killedStep").asInt() > 0, where);
        if (line.path("how").asText().equals("elastic"))
        {
            // data parallel under --elastic: the survivors go on, no restart
            assertEquals(0, line.path("exitCode").asInt(), where);
            assertTrue(wentOn(line), where);
        }
        else if (line.path("strategy").asText().startsWith("ps-"))
        {
            assertTrue(line.path("exitCode").asInt() == 0 && wentOn(line) ||
                line.path("exitCode").asInt() != 0 && line.path("stopSeconds").asDouble() > 0, where);
        }
        else
        {
            assertEquals(0, line.path("exitCode").asInt(), where);
            assertTrue(line.path("recoverySeconds").asDouble() > 0, where);
            assertTrue(line.path("resumedStep").asInt() > 0 &&
                line.path("resumedStep").asInt() <= line.path("killedStep").asInt(), where);
            assertTrue(line.path("summary").asText().contains("finished with test accuracy"), where);
        }
    }
}
