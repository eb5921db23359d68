package dev.ringfold.mpi;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One thread inside a rank's runtime at a time: nested calls pass, a second thread is named, a handover works. */
class ThreadGuardTest
{
    private final ThreadGuard guard = new ThreadGuard(3);

    @Test
    void nestedCallsOnTheInsideThreadPassAndLeaveRestoresTheOuterOne()
    {
        final Thread outer = guard.enter();
        assertNull(outer);
        final Thread nested = guard.enter();
        assertSame(Thread.currentThread(), nested);
        guard.leave(nested);
        guard.leave(outer);
        assertNull(guard.enter(), "nobody inside after the outermost leave");
    }

    @Test
    void aSecondThreadIsRefusedNamingBothAndMayEnterOnceTheFirstLeft() throws Exception
    {
        final ExecutorService other = Executors.newSingleThreadExecutor(r -> new Thread(r, "second"));
        try
        {
            final Thread outer = guard.enter();
            final ExecutionException refused = assertThrows(ExecutionException.class,
                () -> CompletableFuture.runAsync(guard::enter, other).get());
            final IllegalStateException ex = assertInstanceOf(IllegalStateException.class, refused.getCause());
            assertTrue(ex.getMessage().startsWith("rank 3: two threads call the runtime at once: 'second' called " +
                "while '" + Thread.currentThread().getName() + "' was inside it"), ex.getMessage());
            guard.leave(outer);
            assertEquals(null, CompletableFuture.supplyAsync(guard::enter, other).get(), "handed over");
            assertThrows(IllegalStateException.class, guard::enter, "now the second thread is inside");
        }
        finally
        {
            other.shutdownNow();
        }
    }
}
