package dev.ringfold.mpi;

import java.util.Map;
import java.util.logging.Logger;

/**
 * A JVM that configures Ringfold's logging and then logs as Arrow does through slf4j-jdk14: into
 * {@code java.util.logging}, which nothing has started before. Arguments: the level, then "before" to start
 * {@code java.util.logging} before Ringfold's configuration as a program of its own would.
 */
final class ArrowLogProgram
{
    private ArrowLogProgram()
    {
    }

    public static void main(final String[] args)
    {
        if (args.length > 1 && args[1].equals("before"))
        {
            Logger.getLogger("program").fine("the program's own logging starts first");
        }
        RingfoldLog.configure(Map.of(RingfoldLog.VARIABLE, args[0]), "5");
        final Logger arrow = Logger.getLogger("org.apache.arrow.memory.BaseAllocator");
        arrow.info("arrow info");
        arrow.warning("arrow warning");
        RingfoldLog.logger(ArrowLogProgram.class).log(System.Logger.Level.WARNING, "ringfold warning");
    }
}
