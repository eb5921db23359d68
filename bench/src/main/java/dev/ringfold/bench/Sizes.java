package dev.ringfold.bench;

import java.util.Locale;

/** Message sizes on the command line and in tables: {@code 8,1K,64K,1M,16M}, K/M/G meaning 2^10, 2^20, 2^30. */
public final class Sizes
{
    private Sizes()
    {
    }

    /**
     * Parses a comma-separated list of sizes in bytes, each a whole number with an optional K, M or G suffix
     * (binary, either case). Every size must be at least 1 byte and fit one message (at most 2^31-1 bytes).
     *
     * @throws IllegalArgumentException naming the bad entry.
     */
    public static int[] parseList(final String list)
    {
        if (list == null || list.isBlank())
        {
            throw new IllegalArgumentException("the size list is empty");
        }
        final String[] parts = list.split(",", -1);
        final int[] sizes = new int[parts.length];
        for (int i = 0; i < parts.length; i++)
        {
            sizes[i] = parse(parts[i]);
        }
        return sizes;
    }

    /** One size: {@code 8}, {@code 1K}, {@code 16M}, {@code 1g}. */
    public static int parse(final String text)
    {
        final String s = text.trim();
        if (s.isEmpty())
        {
            throw new IllegalArgumentException("empty size in the size list");
        }
        final char last = Character.toUpperCase(s.charAt(s.length() - 1));
        final int shift = switch (last)
        {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            default -> 0;
        };
        final String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9') || digits.length() > 12)
        {
            throw new IllegalArgumentException("size '" + s + "' is not a whole number of bytes with an optional " +
                "K, M or G suffix (e.g. 8, 1K, 16M)");
        }
        final long value = Long.parseLong(digits); // at most 12 digits: no overflow
        if (value < 1)
        {
            throw new IllegalArgumentException("size '" + s + "' must be at least 1 byte");
        }
        if (value > (Integer.MAX_VALUE >> shift))
        {
            throw new IllegalArgumentException("size '" + s + "' is more than the largest message (" +
                Integer.MAX_VALUE + " bytes)");
        }
        return (int)(value << shift);
    }

    /** For tables: {@code 8 B}, {@code 1 KiB}, {@code 16 MiB}, {@code 1536 B}. */
    public static String label(final long bytes)
    {
        if (bytes >= 1L << 30 && bytes % (1L << 30) == 0)
        {
            return (bytes >> 30) + " GiB";
        }
        if (bytes >= 1L << 20 && bytes % (1L << 20) == 0)
        {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1L << 10 && bytes % (1L << 10) == 0)
        {
            return (bytes >> 10) + " KiB";
        }
        return String.format(Locale.ROOT, "%d B", bytes);
    }
}
