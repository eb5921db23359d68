package dev.ringfold.tensors.kernels;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Asserts that code allocates nothing once compiled. Until C2 has compiled it the Vector API runs its Java
 * fallback, which allocates a lot, so the batch repeats until one run allocates nothing (or a minute passes: then
 * the last run's count is the failure).
 */
public final class AllocationFree
{
    private AllocationFree()
    {
    }

    public static void assertEventually(final String what, final Runnable batch)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        long allocated;
        do
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            batch.run();
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        while (allocated != 0 && System.nanoTime() < deadline);
        assertEquals(0, allocated, what + ": bytes allocated by the last batch");
    }
}
