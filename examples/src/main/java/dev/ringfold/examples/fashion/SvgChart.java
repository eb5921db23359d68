package dev.ringfold.examples.fashion;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart or horizontal stacked bars as an SVG document, written directly (no plotting library on the
 * machines this runs on): axes with ticks, one coloured series per strategy, a legend. Enough for the comparison's
 * plots and nothing more.
 */
final class SvgChart
{
    private static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f"};
    private static final int WIDTH = 760;
    private static final int HEIGHT = 440;
    private static final int LEFT = 80;
    private static final int RIGHT = 200;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;

    /** One named series of (x, y) points. */
    record Series(String name, double[] x, double[] y)
    {
    }

    /** One bar: a label and its stacked segments (values in the order of the segment names). */
    record Bar(String label, double[] segments)
    {
    }

    private SvgChart()
    {
    }

    /** Lines with markers; {@code logX} puts x on a log-2 scale (ranks, parameter counts). */
    static String lines(final String title, final String xLabel, final String yLabel, final List<Series> series,
        final boolean logX)
    {
        double minX = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        double maxY = 0;
        for (final Series s : series)
        {
            for (int i = 0; i < s.x().length; i++)
            {
                final double x = logX ? log2(s.x()[i]) : s.x()[i];
                minX = Math.min(minX, x);
                maxX = Math.max(maxX, x);
                maxY = Math.max(maxY, s.y()[i]);
            }
        }
        if (minX == Double.MAX_VALUE)
        {
            minX = 0;
            maxX = 1;
        }
        if (maxX == minX)
        {
            maxX = minX + 1;
        }
        minX = logX ? minX : Math.min(0, minX);
        maxY = maxY <= 0 ? 1 : maxY * 1.08;
        final StringBuilder svg = header(title);
        axes(svg, xLabel, yLabel, minX, maxX, 0, maxY, logX);
        for (int k = 0; k < series.size(); k++)
        {
            final Series s = series.get(k);
            final String colour = COLOURS[k % COLOURS.length];
            final StringBuilder points = new StringBuilder();
            for (int i = 0; i < s.x().length; i++)
            {
                final double px = px(logX ? log2(s.x()[i]) : s.x()[i], minX, maxX);
                final double py = py(s.y()[i], 0, maxY);
                points.append(f(px)).append(',').append(f(py)).append(' ');
                svg.append("<circle cx=\"").append(f(px)).append("\" cy=\"").append(f(py)).append("\" r=\"3\" fill=\"")
                    .append(colour).append("\"/>\n");
            }
            svg.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\" points=\"")
                .append(points).append("\"/>\n");
            legend(svg, k, s.name(), colour);
        }
        return svg.append("</svg>\n").toString();
    }

    /** Horizontal bars of stacked segments (a per-rank breakdown of one step). */
    static String bars(final String title, final String xLabel, final List<String> segmentNames,
        final List<Bar> bars)
    {
        double max = 0;
        for (final Bar b : bars)
        {
            double sum = 0;
            for (final double v : b.segments())
            {
                sum += v;
            }
            max = Math.max(max, sum);
        }
        max = max <= 0 ? 1 : max * 1.05;
        final int rowHeight = 18;
        final int height = TOP + BOTTOM + rowHeight * Math.max(1, bars.size());
        final StringBuilder svg = new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + WIDTH +
            "\" height=\"" + height + "\" font-family=\"sans-serif\" font-size=\"11\">\n");
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append("<text x=\"").append(WIDTH / 2).append("\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">")
            .append(escape(title)).append("</text>\n");
        final int plotWidth = WIDTH - LEFT - RIGHT + 60;
        final int left = LEFT + 60;
        for (int i = 0; i < bars.size(); i++)
        {
            final Bar b = bars.get(i);
            final double y = TOP + i * rowHeight;
            svg.append("<text x=\"").append(left - 6).append("\" y=\"").append(f(y + rowHeight * 0.7))
                .append("\" text-anchor=\"end\">").append(escape(b.label())).append("</text>\n");
            double x = left;
            for (int s = 0; s < b.segments().length; s++)
            {
                final double w = b.segments()[s] / max * (plotWidth - 80);
                svg.append("<rect x=\"").append(f(x)).append("\" y=\"").append(f(y + 2)).append("\" width=\"")
                    .append(f(Math.max(0, w))).append("\" height=\"").append(rowHeight - 4).append("\" fill=\"")
                    .append(COLOURS[s % COLOURS.length]).append("\"/>\n");
                x += Math.max(0, w);
            }
        }
        final double axisY = TOP + bars.size() * rowHeight + 4;
        for (int t = 0; t <= 4; t++)
        {
            final double value = max * t / 4;
            final double x = left + value / max * (plotWidth - 80);
            svg.append("<line x1=\"").append(f(x)).append("\" y1=\"").append(f(axisY)).append("\" x2=\"").append(f(x))
                .append("\" y2=\"").append(f(axisY + 4)).append("\" stroke=\"black\"/>\n");
            svg.append("<text x=\"").append(f(x)).append("\" y=\"").append(f(axisY + 16))
                .append("\" text-anchor=\"middle\">").append(tick(value)).append("</text>\n");
        }
        svg.append("<text x=\"").append(left + (plotWidth - 80) / 2).append("\" y=\"").append(f(axisY + 34))
            .append("\" text-anchor=\"middle\">").append(escape(xLabel)).append("</text>\n");
        for (int s = 0; s < segmentNames.size(); s++)
        {
            final int y = TOP + s * 18;
            svg.append("<rect x=\"").append(WIDTH - 110).append("\" y=\"").append(y).append("\" width=\"12\" " +
                "height=\"12\" fill=\"").append(COLOURS[s % COLOURS.length]).append("\"/>\n");
            svg.append("<text x=\"").append(WIDTH - 92).append("\" y=\"").append(y + 10).append("\">")
                .append(escape(segmentNames.get(s))).append("</text>\n");
        }
        return svg.append("</svg>\n").toString();
    }

    private static StringBuilder header(final String title)
    {
        final StringBuilder svg = new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + WIDTH +
            "\" height=\"" + HEIGHT + "\" font-family=\"sans-serif\" font-size=\"11\">\n");
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append("<text x=\"").append((WIDTH - RIGHT + LEFT) / 2).append("\" y=\"22\" text-anchor=\"middle\" " +
            "font-size=\"14\">").append(escape(title)).append("</text>\n");
        return svg;
    }

    private static void axes(final StringBuilder svg, final String xLabel, final String yLabel, final double minX,
        final double maxX, final double minY, final double maxY, final boolean logX)
    {
        final int bottom = HEIGHT - BOTTOM;
        final int right = WIDTH - RIGHT;
        svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(bottom).append("\" x2=\"").append(right)
            .append("\" y2=\"").append(bottom).append("\" stroke=\"black\"/>\n");
        svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(TOP).append("\" x2=\"").append(LEFT)
            .append("\" y2=\"").append(bottom).append("\" stroke=\"black\"/>\n");
        final List<Double> xTicks = new ArrayList<>();
        if (logX)
        {
            for (double t = Math.ceil(minX); t <= maxX + 1e-9; t++)
            {
                xTicks.add(t);
            }
        }
        else
        {
            for (int t = 0; t <= 5; t++)
            {
                xTicks.add(minX + (maxX - minX) * t / 5);
            }
        }
        for (final double t : xTicks)
        {
            final double x = px(t, minX, maxX);
            svg.append("<line x1=\"").append(f(x)).append("\" y1=\"").append(bottom).append("\" x2=\"").append(f(x))
                .append("\" y2=\"").append(bottom + 4).append("\" stroke=\"black\"/>\n");
            svg.append("<text x=\"").append(f(x)).append("\" y=\"").append(bottom + 16)
                .append("\" text-anchor=\"middle\">").append(tick(logX ? Math.pow(2, t) : t)).append("</text>\n");
        }
        for (int t = 0; t <= 5; t++)
        {
            final double value = minY + (maxY - minY) * t / 5;
            final double y = py(value, minY, maxY);
            svg.append("<line x1=\"").append(LEFT - 4).append("\" y1=\"").append(f(y)).append("\" x2=\"")
                .append(right).append("\" y2=\"").append(f(y)).append("\" stroke=\"#dddddd\"/>\n");
            svg.append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(f(y + 4))
                .append("\" text-anchor=\"end\">").append(tick(value)).append("</text>\n");
        }
        svg.append("<text x=\"").append((LEFT + right) / 2).append("\" y=\"").append(HEIGHT - 20)
            .append("\" text-anchor=\"middle\">").append(escape(xLabel)).append("</text>\n");
        svg.append("<text x=\"18\" y=\"").append((TOP + bottom) / 2).append("\" text-anchor=\"middle\" " +
            "transform=\"rotate(-90 18 ").append((TOP + bottom) / 2).append(")\">").append(escape(yLabel))
            .append("</text>\n");
    }

    private static void legend(final StringBuilder svg, final int index, final String name, final String colour)
    {
        final int y = TOP + index * 18;
        svg.append("<rect x=\"").append(WIDTH - RIGHT + 14).append("\" y=\"").append(y).append("\" width=\"12\" " +
            "height=\"12\" fill=\"").append(colour).append("\"/>\n");
        svg.append("<text x=\"").append(WIDTH - RIGHT + 32).append("\" y=\"").append(y + 10).append("\">")
            .append(escape(name)).append("</text>\n");
    }

    private static double px(final double x, final double min, final double max)
    {
        return LEFT + (x - min) / (max - min) * (WIDTH - RIGHT - LEFT);
    }

    private static double py(final double y, final double min, final double max)
    {
        return HEIGHT - BOTTOM - (y - min) / (max - min) * (HEIGHT - BOTTOM - TOP);
    }

    private static double log2(final double x)
    {
        return Math.log(Math.max(x, 1e-12)) / Math.log(2);
    }

    private static String tick(final double value)
    {
        final double a = Math.abs(value);
        if (a >= 1e9)
        {
            return String.format(Locale.ROOT, "%.3gG", value / 1e9);
        }
        if (a >= 1e6)
        {
            return String.format(Locale.ROOT, "%.3gM", value / 1e6);
        }
        if (a >= 1e4)
        {
            return String.format(Locale.ROOT, "%.3gk", value / 1e3);
        }
        return String.format(Locale.ROOT, "%.3g", value);
    }

    private static String f(final double value)
    {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
