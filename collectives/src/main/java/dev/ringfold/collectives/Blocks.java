package dev.ringfold.collectives;

/** How {@code count} elements split into {@code parts} blocks: sizes differ by at most one, larger first. */
final class Blocks
{
    private Blocks()
    {
    }

    static long start(final long count, final int parts, final int block)
    {
        final long base = count / parts;
        final long extra = count % parts;
        return block * base + Math.min(block, extra);
    }

    static long length(final long count, final int parts, final int block)
    {
        return start(count, parts, block + 1) - start(count, parts, block);
    }

    static int mod(final int value, final int n)
    {
        final int m = value % n;
        return m < 0 ? m + n : m;
    }
}
