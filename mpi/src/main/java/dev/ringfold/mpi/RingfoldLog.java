package dev.ringfold.mpi;

import java.util.Locale;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Ringfold's logging: the JDK's {@link System.Logger}, one logger per class under "dev.ringfold", at the level of
 * {@code RINGFOLD_LOG_LEVEL} ({@code mpjrun --log-level}): {@code off}, {@code error}, {@code warning} (the
 * default), {@code info} (start-up, placement), {@code debug} or {@code trace}. Records go to stderr as one line
 * each, {@code ringfold[<who>] LEVEL logger: message}. Arrow's SLF4J records follow the same level when
 * build/lib's SLF4J binding (slf4j-jdk14) carries them to the JDK's logging.
 * <p>
 * Only the "dev.ringfold" and "org.apache.arrow" loggers are configured; a program's own logging setup is left
 * alone.
 */
public final class RingfoldLog
{
    public static final String VARIABLE = "RINGFOLD_LOG_LEVEL";
    public static final String DEFAULT_LEVEL = "warning";
    private static final String ROOT = "dev.ringfold";
    // held: the JDK's LogManager keeps loggers only weakly, and a collected one would lose its level
    private static final Logger RINGFOLD = Logger.getLogger(ROOT);
    private static final Logger ARROW = Logger.getLogger("org.apache.arrow");
    private static Handler handler;

    private RingfoldLog()
    {
    }

    /** The logger of a class of Ringfold's. */
    public static System.Logger logger(final Class<?> type)
    {
        return System.getLogger(type.getName());
    }

    /**
     * The level a {@code RINGFOLD_LOG_LEVEL} value names.
     *
     * @throws IllegalArgumentException naming the accepted values when it names none.
     */
    public static Level level(final String value)
    {
        return switch (value.trim().toLowerCase(Locale.ROOT))
        {
            case "off" -> Level.OFF;
            case "error" -> Level.SEVERE;
            case "warning", "warn" -> Level.WARNING;
            case "info" -> Level.INFO;
            case "debug" -> Level.FINE;
            case "trace" -> Level.FINER;
            case "all" -> Level.ALL;
            default -> throw new IllegalArgumentException(VARIABLE + "='" + value +
                "': use off, error, warning, info, debug, trace or all");
        };
    }

    /**
     * Sets the level from {@code RINGFOLD_LOG_LEVEL} of env (default warning) and sends records to stderr.
     *
     * @param who how lines name this process: "0" for rank 0, "mpjrun" for the launcher.
     */
    public static synchronized void configure(final Map<String, String> env, final String who)
    {
        final Level level = level(env.getOrDefault(VARIABLE, DEFAULT_LEVEL));
        if (handler != null)
        {
            RINGFOLD.removeHandler(handler);
            ARROW.removeHandler(handler);
        }
        handler = new StderrHandler("ringfold[" + who + "] ");
        handler.setLevel(level);
        for (final Logger logger : new Logger[] {RINGFOLD, ARROW})
        {
            logger.setLevel(level);
            logger.setUseParentHandlers(false);
            logger.addHandler(handler);
        }
    }

    /** One line per record, written and flushed at once so that the launcher relays it whole. */
    private static final class StderrHandler extends Handler
    {
        private final String prefix;

        StderrHandler(final String prefix)
        {
            this.prefix = prefix;
            setFormatter(new Formatter()
            {
                @Override
                public String format(final LogRecord record)
                {
                    final StringBuilder line = new StringBuilder(128).append(prefix)
                        .append(record.getLevel().getName()).append(' ')
                        .append(shortName(record.getLoggerName())).append(": ").append(formatMessage(record));
                    if (record.getThrown() != null)
                    {
                        line.append(" (").append(record.getThrown()).append(')');
                    }
                    return line.append(System.lineSeparator()).toString();
                }
            });
        }

        @Override
        public void publish(final LogRecord record)
        {
            if (isLoggable(record))
            {
                System.err.print(getFormatter().format(record));
                System.err.flush();
            }
        }

        @Override
        public void flush()
        {
            System.err.flush();
        }

        @Override
        public void close()
        {
            flush();
        }

        private static String shortName(final String name)
        {
            return name == null ? "" : name.substring(name.lastIndexOf('.') + 1);
        }
    }
}
