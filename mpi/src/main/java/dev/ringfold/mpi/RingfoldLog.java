package dev.ringfold.mpi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.function.Supplier;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Ringfold's logging: a {@link System.Logger} per class, at the level of {@code RINGFOLD_LOG_LEVEL}
 * ({@code mpjrun --log-level}): {@code off}, {@code error}, {@code warning} (the default), {@code info} (start-up,
 * placement), {@code debug} or {@code trace}. Records go to stderr as one line each,
 * {@code ringfold[<who>] LEVEL logger: message}.
 * <p>
 * Ringfold's own loggers write those lines themselves rather than through the JDK's logging: starting
 * {@code java.util.logging} looks for a {@code System.LoggerFinder} in every jar of the class path and reads the
 * JDK's logging.properties, which every rank and the launcher would pay at start-up for the few lines a job logs.
 * Arrow's SLF4J records reach {@code java.util.logging} through build/lib's SLF4J binding (slf4j-jdk14); they
 * follow the same level and format, set up only when something starts {@code java.util.logging}: the first call of
 * {@link #configure} names {@link JulConfiguration} as its configuration class, unless the program chose its own
 * (a program's own logging setup is left alone).
 */
public final class RingfoldLog
{
    public static final String VARIABLE = "RINGFOLD_LOG_LEVEL";
    public static final String DEFAULT_LEVEL = "warning";
    private static final String ARROW = "org.apache.arrow";
    private static final String CONFIG_CLASS = "java.util.logging.config.class";
    private static final String CONFIG_FILE = "java.util.logging.config.file";

    private static volatile int threshold = Level.WARNING.intValue();
    private static volatile String prefix = "ringfold ";
    // held: the JDK's LogManager keeps loggers only weakly, and a collected one would lose its level
    private static Logger arrow;
    private static Handler arrowHandler;
    private static boolean julConfigured;

    private RingfoldLog()
    {
    }

    /** The logger of a class of Ringfold's. */
    public static System.Logger logger(final Class<?> type)
    {
        return new LineLogger(type.getName());
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
        threshold = level(env.getOrDefault(VARIABLE, DEFAULT_LEVEL)).intValue();
        prefix = "ringfold[" + who + "] ";
        if (julConfigured)
        {
            configureArrow(); // java.util.logging runs already: apply the new level now
        }
        else if (System.getProperty(CONFIG_CLASS) == null)
        {
            System.setProperty(CONFIG_CLASS, JulConfiguration.class.getName());
        }
    }

    /** Gives Arrow's logger the level and the line format of Ringfold's. */
    private static synchronized void configureArrow()
    {
        julConfigured = true;
        if (arrow == null)
        {
            arrow = Logger.getLogger(ARROW);
        }
        if (arrowHandler != null)
        {
            arrow.removeHandler(arrowHandler);
        }
        final Level level = Level.parse(Integer.toString(threshold));
        arrowHandler = new StderrHandler();
        arrowHandler.setLevel(level);
        arrow.setLevel(level);
        arrow.setUseParentHandlers(false);
        arrow.addHandler(arrowHandler);
    }

    private static boolean loggable(final int level)
    {
        final int at = threshold;
        return level >= at && at != Level.OFF.intValue();
    }

    private static void print(final String level, final String loggerName, final String message, final Throwable thrown)
    {
        final String name = loggerName == null ? "" : loggerName.substring(loggerName.lastIndexOf('.') + 1);
        final StringBuilder line = new StringBuilder(128).append(prefix).append(level).append(' ').append(name)
            .append(": ").append(message);
        if (thrown != null)
        {
            line.append(" (").append(thrown).append(')');
        }
        System.err.print(line.append(System.lineSeparator()));
        System.err.flush();
    }

    /**
     * {@code java.util.logging}'s configuration while Ringfold's is in force ({@code java.util.logging.config.class}):
     * what the JDK would have read (the file of {@code java.util.logging.config.file}, else the JDK's
     * logging.properties), then Arrow's logger at Ringfold's level. LogManager makes it when it starts.
     */
    public static final class JulConfiguration
    {
        public JulConfiguration() throws IOException
        {
            final String file = System.getProperty(CONFIG_FILE);
            final Path path = file != null ? Path.of(file) :
                Path.of(System.getProperty("java.home"), "conf", "logging.properties");
            if (Files.isReadable(path))
            {
                try (InputStream in = Files.newInputStream(path))
                {
                    LogManager.getLogManager().readConfiguration(in);
                }
            }
            configureArrow();
        }
    }

    /** One line per record, written and flushed at once so that the launcher relays it whole. */
    private static final class LineLogger implements System.Logger
    {
        private final String name;

        LineLogger(final String name)
        {
            this.name = name;
        }

        @Override
        public String getName()
        {
            return name;
        }

        @Override
        public boolean isLoggable(final System.Logger.Level level)
        {
            return loggable(julLevel(level));
        }

        @Override
        public void log(final System.Logger.Level level, final Supplier<String> message)
        {
            if (isLoggable(level))
            {
                print(julName(level), name, message.get(), null);
            }
        }

        @Override
        public void log(final System.Logger.Level level, final ResourceBundle bundle, final String message,
            final Throwable thrown)
        {
            if (isLoggable(level))
            {
                print(julName(level), name, message, thrown);
            }
        }

        @Override
        public void log(final System.Logger.Level level, final ResourceBundle bundle, final String format,
            final Object... params)
        {
            if (isLoggable(level))
            {
                print(julName(level), name, params == null || params.length == 0 ? format :
                    java.text.MessageFormat.format(format, params), null);
            }
        }
    }

    /** The java.util.logging level that {@code System.Logger}'s maps to, as the JDK's own bridge maps it. */
    private static int julLevel(final System.Logger.Level level)
    {
        return switch (level)
        {
            case ALL -> Level.ALL.intValue();
            case TRACE -> Level.FINER.intValue();
            case DEBUG -> Level.FINE.intValue();
            case INFO -> Level.INFO.intValue();
            case WARNING -> Level.WARNING.intValue();
            case ERROR -> Level.SEVERE.intValue();
            case OFF -> Level.OFF.intValue();
        };
    }

    private static String julName(final System.Logger.Level level)
    {
        return switch (level)
        {
            case ALL -> "ALL";
            case TRACE -> "FINER";
            case DEBUG -> "FINE";
            case INFO -> "INFO";
            case WARNING -> "WARNING";
            case ERROR -> "SEVERE";
            case OFF -> "OFF";
        };
    }

    /** Arrow's records in the same one-line format. */
    private static final class StderrHandler extends Handler
    {
        StderrHandler()
        {
            setFormatter(new Formatter()
            {
                @Override
                public String format(final LogRecord record)
                {
                    return formatMessage(record);
                }
            });
        }

        @Override
        public void publish(final LogRecord record)
        {
            if (isLoggable(record))
            {
                print(record.getLevel().getName(), record.getLoggerName(), getFormatter().format(record),
                    record.getThrown());
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
    }
}
