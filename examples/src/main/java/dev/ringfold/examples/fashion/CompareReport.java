package dev.ringfold.examples.fashion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The comparison's report from its JSON lines (those {@link FashionMnistCompare} wrote and the failure experiments
 * that {@code bin/ringfold-compare} appended): one Markdown table, a column per strategy and a row per point of the
 * comparison, printed and written to {@code OUT/compare-table.md}, and the plots as SVG in {@code OUT}: accuracy
 * against training time, samples/s against ranks, the loss curves, each rank's last step, and the bytes per step of
 * all-reduce against the pipeline by model size. Every cell is computed from the measurements in the file; a cell
 * with nothing measured says so.
 * <pre>
 * java -cp build/lib/'*' dev.ringfold.examples.fashion.CompareReport compare.jsonl OUT
 * </pre>
 */
public final class CompareReport
{
    private final List<JsonNode> strategies = new ArrayList<>();
    private final List<JsonNode> scaling = new ArrayList<>();
    private final List<JsonNode> crossover = new ArrayList<>();
    private final List<JsonNode> failures = new ArrayList<>();
    private final List<JsonNode> skipped = new ArrayList<>();
    private JsonNode run;

    private CompareReport()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        if (args.length != 2)
        {
            System.err.println("usage: CompareReport FILE.jsonl OUT_DIR");
            System.exit(2);
        }
        final CompareReport report = read(Path.of(args[0]));
        final Path out = Path.of(args[1]);
        Files.createDirectories(out);
        final String table = report.table();
        Files.writeString(out.resolve("compare-table.md"), table);
        System.out.print(table);
        if (!report.strategies.isEmpty())
        {
            report.plots(out);
            System.out.println("plots: " + out.resolve("accuracy.svg") + ", scaling.svg, loss.svg, timeline.svg, " +
                "crossover.svg");
        }
    }

    static CompareReport read(final Path file) throws IOException
    {
        final CompareReport report = new CompareReport();
        final ObjectMapper json = new ObjectMapper();
        for (final String line : Files.readAllLines(file))
        {
            if (line.isBlank())
            {
                continue;
            }
            final JsonNode node = json.readTree(line);
            if (node.has("skipped"))
            {
                report.skipped.add(node);
                continue;
            }
            switch (node.path("type").asText())
            {
                case "run" -> report.run = node;
                case "strategy" -> report.strategies.add(node);
                case "scaling" -> report.scaling.add(node);
                case "crossover" -> report.crossover.add(node);
                case "failure" -> report.failures.add(node);
                default -> throw new IOException(file + ": a line of unknown type: " + line);
            }
        }
        if ((report.run == null || report.strategies.isEmpty()) && report.failures.isEmpty())
        {
            throw new IOException(file + ": no run, no trained strategy and no failure experiment in it");
        }
        return report;
    }

    // ------------------------------------------------------------------------------------------------ the table

    String table()
    {
        final StringBuilder t = new StringBuilder();
        if (run == null || strategies.isEmpty())
        {
            failures(t); // --failure-only into a fresh folder
            return t.toString();
        }
        t.append(String.format(Locale.ROOT,
            "%d ranks, MLP %s, %d epoch(s), global batch %d, all-reduce %s, %s; %s%n%n",
            run.path("ranks").asInt(), run.path("model").asText(), run.path("epochs").asInt(),
            run.path("globalBatch").asInt(), run.path("allReduceAlgorithm").asText("ring"), run.path("date").asText(),
            "load average " + run.path("loadAverage").asText()));
        t.append("| point | measure |");
        for (final JsonNode s : strategies)
        {
            t.append(' ').append(s.path("title").asText()).append(" |");
        }
        t.append("\n|---|---|").append("---|".repeat(strategies.size())).append('\n');
        row(t, "division of work", "parameters held per rank", s -> range(s, "parameterBytes", 1, true));
        row(t, "", "optimizer state per rank", s -> range(s, "optimizerBytes", 1, true));
        row(t, "", "activations at peak per rank", s -> range(s, "activationBytes", 1, true));
        row(t, "", "data-parallel buffers per rank", s -> range(s, "bufferBytes", 1, true));
        row(t, "communication", "bytes sent + received per step per rank", s -> perStep(s, "sentBytes",
            "receivedBytes", true));
        row(t, "", "node-shared bytes read + written per step per rank (no messages)", s -> perStep(s,
            "sharedReadBytes", "sharedWrittenBytes", true));
        row(t, "", "messages per step per rank", s -> perStep(s, "sentMessages", "receivedMessages", false));
        row(t, "", "waiting in the runtime per step per rank", s -> waitPerStep(s));
        row(t, "data movement", "parameters / gradients / activations, of those bytes", this::movement);
        row(t, "dependencies", "idle fraction per step (mean, max over ranks)", this::idle);
        row(t, "", "pipeline bubble (p−1)/(m+p−1)", s -> s.has("theoreticalBubble") ?
            percent(s.path("theoreticalBubble").asDouble()) : "no pipeline");
        row(t, "load balance", "max / mean compute per step", this::balance);
        row(t, "degree of parallelism", "samples/s (speed-up) at np = " + scalingRanks(), this::speedUp);
        row(t, "convergence", "test accuracy after each epoch", this::accuracy);
        row(t, "", "training loss, first → last point", this::loss);
        row(t, "node failure", "one rank killed mid-training", this::failure);
        for (final JsonNode s : skipped)
        {
            if (s.path("type").asText().equals("strategy"))
            {
                t.append("\nnot run: ").append(s.path("title").asText()).append(" on ").append(s.path("ranks")
                    .asInt()).append(" ranks (").append(s.path("skipped").asText()).append(")\n");
            }
        }
        failures(t);
        if (!crossover.isEmpty())
        {
            t.append("\nbytes sent per step per rank, by model width and global batch ")
                .append("(all-reduce against pipeline):\n\n")
                .append("| width | parameters | global batch | data parallel, all-reduce | pipeline, 1F1B | ")
                .append("smaller |\n")
                .append("|---|---|---|---|---|---|\n");
            final Map<String, double[]> pairs = new LinkedHashMap<>();
            final Map<String, Long> parameters = new LinkedHashMap<>();
            for (final JsonNode n : crossover)
            {
                final String key = n.path("width").asInt() + " | " + n.path("globalBatch").asInt();
                final double[] pair = pairs.computeIfAbsent(key, k -> new double[] {-1, -1});
                pair[n.path("strategy").asText().equals("dp-allreduce") ? 0 : 1] =
                    n.path("bytesPerStepPerRank").asDouble();
                parameters.put(key, n.path("parameters").asLong());
            }
            for (final Map.Entry<String, double[]> e : pairs.entrySet())
            {
                final double[] pair = e.getValue();
                final String[] key = e.getKey().split(" \\| ");
                t.append("| ").append(key[0]).append(" | ").append(String.format(Locale.ROOT, "%,d",
                    parameters.get(e.getKey()))).append(" | ").append(key[1]).append(" | ")
                    .append(pair[0] < 0 ? "not run" : bytes(pair[0])).append(" | ")
                    .append(pair[1] < 0 ? "not run" : bytes(pair[1])).append(" | ")
                    .append(pair[0] < 0 || pair[1] < 0 ? "" : pair[0] < pair[1] ? "all-reduce" : "pipeline")
                    .append(" |\n");
            }
        }
        return t.toString();
    }

    private void row(final StringBuilder t, final String point, final String measure,
        final Function<JsonNode, String> cell)
    {
        t.append("| ").append(point).append(" | ").append(measure).append(" |");
        for (final JsonNode s : strategies)
        {
            t.append(' ').append(cell.apply(s)).append(" |");
        }
        t.append('\n');
    }

    private static String range(final JsonNode s, final String field, final double scale, final boolean isBytes)
    {
        double min = Double.MAX_VALUE;
        double max = 0;
        for (final JsonNode r : s.path("perRank"))
        {
            final double v = r.path(field).asDouble() * scale;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        final String hi = isBytes ? bytes(max) : String.format(Locale.ROOT, "%.3g", max);
        if (min == max)
        {
            return hi;
        }
        return (isBytes ? bytes(min) : String.format(Locale.ROOT, "%.3g", min)) + " – " + hi;
    }

    private static String perStep(final JsonNode s, final String sent, final String received, final boolean isBytes)
    {
        double min = Double.MAX_VALUE;
        double max = 0;
        double sum = 0;
        int n = 0;
        for (final JsonNode r : s.path("perRank"))
        {
            final double steps = Math.max(1, r.path("steps").asDouble());
            final double v = (r.path(sent).asDouble() + r.path(received).asDouble()) / steps;
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
            n++;
        }
        final Function<Double, String> f = isBytes ? CompareReport::bytes :
            v -> String.format(Locale.ROOT, "%.1f", v);
        final String low = f.apply(min);
        final String high = f.apply(max);
        return "mean " + f.apply(sum / n) + (low.equals(high) ? "" : " (" + low + " – " + high + ")");
    }

    private static String waitPerStep(final JsonNode s)
    {
        double sum = 0;
        double max = 0;
        int n = 0;
        for (final JsonNode r : s.path("perRank"))
        {
            final double v = r.path("waitNanos").asDouble() / Math.max(1, r.path("steps").asDouble()) / 1e6;
            sum += v;
            max = Math.max(max, v);
            n++;
        }
        return String.format(Locale.ROOT, "mean %.2f ms, max %.2f ms", sum / n, max);
    }

    private String movement(final JsonNode s)
    {
        double parameters = 0;
        double gradients = 0;
        double activations = 0;
        for (final JsonNode r : s.path("perRank"))
        {
            final double steps = Math.max(1, r.path("steps").asDouble());
            parameters += r.path("parameterTraffic").asDouble() / steps;
            gradients += r.path("gradientTraffic").asDouble() / steps;
            activations += r.path("activationTraffic").asDouble() / steps;
        }
        final int n = s.path("perRank").size();
        return bytes(parameters / n) + " / " + bytes(gradients / n) + " / " + bytes(activations / n);
    }

    private String idle(final JsonNode s)
    {
        double sum = 0;
        double max = 0;
        int n = 0;
        for (final JsonNode r : s.path("perRank"))
        {
            final double v = r.path("idleFraction").asDouble();
            sum += v;
            max = Math.max(max, v);
            n++;
        }
        return percent(sum / n) + ", " + percent(max);
    }

    private String balance(final JsonNode s)
    {
        double sum = 0;
        double max = 0;
        int n = 0;
        for (final JsonNode r : s.path("perRank"))
        {
            final double v = r.path("computeNanos").asDouble() / Math.max(1, r.path("steps").asDouble());
            sum += v;
            max = Math.max(max, v);
            n++;
        }
        return sum == 0 ? "nothing computed" : String.format(Locale.ROOT, "%.2f (max %.2f ms)", max / (sum / n),
            max / 1e6);
    }

    private String scalingRanks()
    {
        return String.join(", ", new TreeSet<>(scaling.stream().map(n -> n.path("ranks").asInt()).toList()).stream()
            .map(String::valueOf).toList());
    }

    /** The one-rank baseline: training on one rank is the same program whatever the strategy. */
    private double baseline()
    {
        for (final JsonNode n : scaling)
        {
            if (n.path("ranks").asInt() == 1)
            {
                return n.path("samplesPerSecond").asDouble();
            }
        }
        return 0;
    }

    private String speedUp(final JsonNode s)
    {
        final double one = baseline();
        final StringBuilder cell = new StringBuilder();
        for (final JsonNode n : scaling)
        {
            if (n.path("strategy").asText().equals(s.path("strategy").asText()))
            {
                final double v = n.path("samplesPerSecond").asDouble();
                cell.append(cell.isEmpty() ? "" : "; ").append(n.path("ranks").asInt()).append(": ")
                    .append(String.format(Locale.ROOT, "%.0f", v));
                if (one > 0)
                {
                    cell.append(String.format(Locale.ROOT, " (%.2f×)", v / one));
                }
            }
        }
        return cell.isEmpty() ? "not run" : cell.toString();
    }

    private String accuracy(final JsonNode s)
    {
        final List<String> values = new ArrayList<>();
        for (final JsonNode e : s.path("epochs"))
        {
            values.add(String.format(Locale.ROOT, "%.4f", e.path("accuracy").asDouble()));
        }
        final JsonNode last = s.path("epochs").get(s.path("epochs").size() - 1);
        return String.join(", ", values) + String.format(Locale.ROOT, " (%.1f s)", last.path("seconds").asDouble());
    }

    private String loss(final JsonNode s)
    {
        final JsonNode curve = s.path("lossCurve");
        if (curve.isEmpty())
        {
            return "no curve";
        }
        return String.format(Locale.ROOT, "%.3f → %.3f", curve.get(0).asDouble(), curve.get(curve.size() - 1)
            .asDouble());
    }

    private String failure(final JsonNode s)
    {
        final List<String> summaries = new ArrayList<>();
        for (final JsonNode f : failures)
        {
            if (f.path("strategy").asText().equals(s.path("strategy").asText()))
            {
                summaries.add(f.path("summary").asText());
            }
        }
        return summaries.isEmpty() ? "not measured (ringfold-compare --failure kills a rank of each strategy)" :
            String.join("; and ", summaries);
    }

    /** The failure experiments side by side: what happened, how long until training again, what each took. */
    private void failures(final StringBuilder t)
    {
        if (failures.isEmpty())
        {
            return;
        }
        t.append("\none rank SIGKILLed mid-training, each strategy a job of its own:\n\n")
            .append("| strategy | rank killed (stage), at step | outcome | training again after the kill | ")
            .append("experiment's wall time |\n|---|---|---|---|---|\n");
        double total = 0;
        for (final JsonNode f : failures)
        {
            final String again = f.path("recoverySeconds").isNumber() ? String.format(Locale.ROOT,
                "%.1f s (restart from the checkpoint of step %d)", f.path("recoverySeconds").asDouble(),
                f.path("resumedStep").asInt()) : f.path("continuedSeconds").isNumber() ? String.format(Locale.ROOT,
                "%.1f s (no restart: the survivors went on)", f.path("continuedSeconds").asDouble()) :
                f.path("stopSeconds").isNumber() ? String.format(Locale.ROOT, "never: the job stopped %.1f s after",
                f.path("stopSeconds").asDouble()) : "not measured";
            final String outcome = f.path("recoverySeconds").isNumber() ? "job stopped, restarted" :
                f.path("continuedSeconds").isNumber() ? "went on at lower width" : f.path("killedStep").isNumber() ?
                "job stopped (exit status " + f.path("exitCode").asInt() + ")" : "no rank killed";
            t.append("| ").append(f.path("strategy").asText())
                .append(f.has("how") ? ", " + f.path("how").asText() : "").append(" | ")
                .append(f.path("killedRank").isNumber() ? f.path("killedRank").asInt() + " (" +
                    f.path("killedStage").asInt() + "), " + f.path("killedStep").asInt() : "none").append(" | ")
                .append(outcome).append(" | ").append(again).append(" | ")
                .append(String.format(Locale.ROOT, "%.0f s", f.path("experimentSeconds").asDouble())).append(" |\n");
            total += f.path("experimentSeconds").asDouble();
        }
        t.append(String.format(Locale.ROOT, "%nthe failure experiments took %.0f s in all%n", total));
    }

    // ------------------------------------------------------------------------------------------------ the plots

    void plots(final Path out) throws IOException
    {
        final List<SvgChart.Series> accuracy = new ArrayList<>();
        final List<SvgChart.Series> loss = new ArrayList<>();
        final List<SvgChart.Bar> bars = new ArrayList<>();
        for (final JsonNode s : strategies)
        {
            final int epochs = s.path("epochs").size();
            final double[] x = new double[epochs + 1];
            final double[] y = new double[epochs + 1];
            for (int e = 0; e < epochs; e++)
            {
                x[e + 1] = s.path("epochs").get(e).path("seconds").asDouble();
                y[e + 1] = s.path("epochs").get(e).path("accuracy").asDouble();
            }
            // before training: chance, one class in ten
            y[0] = 0.1;
            accuracy.add(new SvgChart.Series(s.path("title").asText(), x, y));
            final JsonNode curve = s.path("lossCurve");
            final double[] lx = new double[curve.size()];
            final double[] ly = new double[curve.size()];
            for (int i = 0; i < curve.size(); i++)
            {
                lx[i] = (i + 1.0) / curve.size();
                ly[i] = curve.get(i).asDouble();
            }
            loss.add(new SvgChart.Series(s.path("title").asText(), lx, ly));
            for (final JsonNode r : s.path("perRank"))
            {
                final double step = r.path("lastStepNanos").asDouble() / 1e6;
                final double forward = r.path("lastForwardNanos").asDouble() / 1e6;
                final double backward = r.path("lastBackwardNanos").asDouble() / 1e6;
                final double wait = r.path("lastWaitNanos").asDouble() / 1e6;
                final String label = s.path("strategy").asText() + " r" + r.path("rank").asInt();
                if (r.path("role").asInt() == StrategyRun.ROLE_SERVER)
                {
                    // a server has no step of its own: its share of busy and waiting time per update
                    final double updates = Math.max(1, r.path("steps").asDouble());
                    final double busy = r.path("computeNanos").asDouble() / updates / 1e6;
                    bars.add(new SvgChart.Bar(label + " (server, per update)",
                        new double[] {busy, 0, r.path("waitNanos").asDouble() / updates / 1e6, 0}));
                    continue;
                }
                bars.add(new SvgChart.Bar(label, new double[] {forward, backward, wait,
                    Math.max(0, step - forward - backward - wait)}));
            }
        }
        Files.writeString(out.resolve("accuracy.svg"), SvgChart.lines("Test accuracy against training time",
            "training seconds", "test accuracy", accuracy, false));
        Files.writeString(out.resolve("loss.svg"), SvgChart.lines("Training loss", "fraction of training",
            "mean loss", loss, false));
        Files.writeString(out.resolve("timeline.svg"), SvgChart.bars("The last step of each rank",
            "milliseconds", List.of("forward", "backward", "waiting in stage transfers", "other (sync, update)"),
            bars));
        final Map<String, List<double[]>> points = new LinkedHashMap<>();
        for (final JsonNode n : scaling)
        {
            points.computeIfAbsent(n.path("title").asText(), k -> new ArrayList<>())
                .add(new double[] {n.path("ranks").asDouble(), n.path("samplesPerSecond").asDouble()});
        }
        Files.writeString(out.resolve("scaling.svg"), SvgChart.lines("Samples/s against ranks (global batch fixed)",
            "ranks", "samples/s", series(points), true));
        points.clear();
        for (final JsonNode n : crossover)
        {
            points.computeIfAbsent(n.path("strategy").asText() + ", batch " + n.path("globalBatch").asInt(),
                k -> new ArrayList<>())
                .add(new double[] {n.path("parameters").asDouble(), n.path("bytesPerStepPerRank").asDouble()});
        }
        Files.writeString(out.resolve("crossover.svg"), SvgChart.lines("Bytes sent per step per rank",
            "model parameters", "bytes", series(points), true));
    }

    private static List<SvgChart.Series> series(final Map<String, List<double[]>> points)
    {
        final List<SvgChart.Series> series = new ArrayList<>();
        for (final Map.Entry<String, List<double[]>> e : points.entrySet())
        {
            final double[] x = new double[e.getValue().size()];
            final double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++)
            {
                x[i] = e.getValue().get(i)[0];
                y[i] = e.getValue().get(i)[1];
            }
            series.add(new SvgChart.Series(e.getKey(), x, y));
        }
        return series;
    }

    private static String percent(final double fraction)
    {
        return String.format(Locale.ROOT, "%.1f%%", fraction * 100);
    }

    static String bytes(final double bytes)
    {
        if (bytes >= 1 << 20)
        {
            return String.format(Locale.ROOT, "%.2f MiB", bytes / (1 << 20));
        }
        if (bytes >= 1 << 10)
        {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / (1 << 10));
        }
        return String.format(Locale.ROOT, "%.0f B", bytes);
    }
}
