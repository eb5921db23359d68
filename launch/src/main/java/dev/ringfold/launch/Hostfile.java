package dev.ringfold.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A machines file, as mpirun and MPJ Express read it: one host per line, {@code host}, {@code host slots=N} or
 * {@code host:N} (N ranks may run there; 1 when not given), {@code #} starts a comment, blank lines are skipped.
 * A host named twice gets the slots of both lines, in the place of its first line. Anything else on a line is an
 * error naming the file and line, rather than a guess.
 */
final class Hostfile
{
    /** Far more than any node has cores, small enough that no sum of them overflows. */
    static final int MAX_SLOTS = 1 << 16;

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+]");
    private static final Pattern COLON = Pattern.compile("^(\\S+?):(\\d+)$");
    private static final Pattern SLOTS = Pattern.compile("^slots=(\\d+)$");

    /** One host and how many ranks it takes. */
    record Host(String name, int slots)
    {
    }

    private Hostfile()
    {
    }

    static List<Host> read(final Path file) throws UsageException
    {
        final String text;
        try
        {
            text = Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UsageException("cannot read the machines file " + file + ": " + ex.getMessage());
        }
        return parse(text, file.toString());
    }

    static List<Host> parse(final String text, final String source) throws UsageException
    {
        final Map<String, Integer> slots = new LinkedHashMap<>();
        int lineNo = 0;
        for (final String raw : text.split("\n", -1))
        {
            lineNo++;
            final int hash = raw.indexOf('#');
            final String line = (hash >= 0 ? raw.substring(0, hash) : raw).strip();
            if (line.isEmpty())
            {
                continue;
            }
            final String[] words = line.split("\\s+");
            String name = words[0];
            int n = 1;
            final Matcher colon = COLON.matcher(name);
            if (words[0].startsWith("slots=") || (colon.matches() && colon.group(1).equals("slots")))
            {
                // a slot count with its host missing; read as 'host:N' it would name a host "slots"
                throw new UsageException(source + " line " + lineNo + ": '" + line + "' gives slots but no host;" +
                    " write 'host slots=N' or 'host:N'");
            }
            if (colon.matches() && !name.startsWith("["))
            {
                name = colon.group(1);
                n = count(colon.group(2), source, lineNo);
            }
            if (words.length > 2 || (words.length == 2 && colon.matches()))
            {
                throw new UsageException(source + " line " + lineNo + ": '" + line + "' is not 'host', 'host slots=N'" +
                    " or 'host:N'");
            }
            if (words.length == 2)
            {
                final Matcher m = SLOTS.matcher(words[1]);
                if (!m.matches())
                {
                    throw new UsageException(source + " line " + lineNo + ": '" + words[1] + "' is not slots=N");
                }
                n = count(m.group(1), source, lineNo);
            }
            if (!HOST.matcher(name).matches())
            {
                throw new UsageException(source + " line " + lineNo + ": '" + name + "' is not a host name");
            }
            slots.merge(name, n, (a, b) -> Math.min(MAX_SLOTS, a + b));
        }
        if (slots.isEmpty())
        {
            throw new UsageException(source + " names no hosts");
        }
        final List<Host> hosts = new ArrayList<>();
        slots.forEach((name, n) -> hosts.add(new Host(name, n)));
        return List.copyOf(hosts);
    }

    private static int count(final String digits, final String source, final int lineNo) throws UsageException
    {
        final long n = digits.length() > 6 ? Long.MAX_VALUE : Long.parseLong(digits);
        if (n < 1 || n > MAX_SLOTS)
        {
            throw new UsageException(source + " line " + lineNo + ": slots " + digits + " is not in 1.." + MAX_SLOTS);
        }
        return (int)n;
    }
}
