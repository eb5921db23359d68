package dev.ringfold.examples.fashion;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The command line of an example that adds options to {@link TrainingOptions}': its own options, each with a
 * value, taken out; every other argument kept in order for {@link TrainingOptions#parse}.
 */
final class OwnOptions
{
    private OwnOptions()
    {
    }

    /**
     * Gives each of {@code names} found in args, with the argument after it, to {@code take}.
     *
     * @return the other arguments, in their order.
     * @throws IllegalArgumentException when one of names is the last argument (its value missing), with the usage.
     */
    static List<String> split(final String[] args, final List<String> names, final String usage,
        final BiConsumer<String, String> take)
    {
        final List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++)
        {
            final String name = args[i];
            if (!names.contains(name))
            {
                rest.add(name);
                continue;
            }
            if (i + 1 >= args.length)
            {
                throw new IllegalArgumentException(name + " needs a value. usage: " + usage);
            }
            take.accept(name, args[++i]);
        }
        return rest;
    }

    /** The value of option name as a whole number of at least 1. */
    static int positive(final String name, final String value)
    {
        try
        {
            final int parsed = Integer.parseInt(value);
            if (parsed >= 1)
            {
                return parsed;
            }
        }
        catch (final NumberFormatException ex)
        {
            // the message below
        }
        throw new IllegalArgumentException(name + " must be a positive integer: '" + value + "'");
    }
}
