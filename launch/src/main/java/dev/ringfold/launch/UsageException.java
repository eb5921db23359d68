package dev.ringfold.launch;

/** A command line mpjrun cannot run; the message says what is wrong in the user's terms. */
final class UsageException extends Exception
{
    private static final long serialVersionUID = 1L;

    UsageException(final String message)
    {
        super(message);
    }
}
