package dev.ringfold.launch;

/** Quotes words for a POSIX shell, leaving plain ones bare so that printed commands stay readable. */
final class ShellQuoting
{
    private ShellQuoting()
    {
    }

    static String quote(final String word)
    {
        if (!word.isEmpty() && isPlain(word))
        {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    private static boolean isPlain(final String word)
    {
        for (int i = 0; i < word.length(); i++)
        {
            final char c = word.charAt(i);
            final boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                "_-.,/:=@%+".indexOf(c) >= 0;
            if (!plain)
            {
                return false;
            }
        }
        return true;
    }
}
