package dev.ringfold.launch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(10)
final class ExitStatusTest
{
    @Test
    void exitCodesAndSignalsInWords()
    {
        assertEquals("exited with code 3", ExitStatus.describe(3));
        assertEquals("exited with code 128", ExitStatus.describe(128));
        assertEquals("was killed by signal 9 (SIGKILL)", ExitStatus.describe(137));
        assertEquals("was killed by signal 15 (SIGTERM)", ExitStatus.describe(143));
        assertEquals("was killed by signal 11 (SIGSEGV)", ExitStatus.describe(139));
        assertEquals("was killed by signal 40", ExitStatus.describe(168));
        assertEquals("exited with code 255", ExitStatus.describe(255));
    }
}
