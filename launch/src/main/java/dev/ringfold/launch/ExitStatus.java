package dev.ringfold.launch;

/**
 * Puts a rank's exit value into words. Java reports a death by signal N as exit value 128 + N, like a shell,
 * so a program that itself exits with, say, 137 reads as killed by SIGKILL; there is no way to tell them apart.
 */
final class ExitStatus
{
    private static final String[] SIGNAL_NAMES = {
        null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
        "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",
        "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR",
        "SIGSYS"};
    private static final int MAX_SIGNAL = 64;

    private ExitStatus()
    {
    }

    /** "exited with code 3", "was killed by signal 9 (SIGKILL)". */
    static String describe(final int exitValue)
    {
        final int signal = exitValue - 128;
        if (signal >= 1 && signal <= MAX_SIGNAL)
        {
            final String name = signal < SIGNAL_NAMES.length ? " (" + SIGNAL_NAMES[signal] + ")" : "";
            return "was killed by signal " + signal + name;
        }
        return "exited with code " + exitValue;
    }
}
