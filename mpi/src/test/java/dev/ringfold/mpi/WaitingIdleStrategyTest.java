package dev.ringfold.mpi;

import dev.ringfold.mpi.transport.InputWaiter;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WaitingIdleStrategyTest
{
    /** Counts the waits asked of it, and how long each was allowed to be, and records the parks asked of it. */
    private static class CountingWaiter implements InputWaiter
    {
        int waits;
        long lastTimeoutNs;
        final StringBuilder pauses = new StringBuilder();

        @Override
        public void pause(final long ns)
        {
            pauses.append(ns / 1_000).append(' ');
        }

        @Override
        public void awaitInput(final long timeoutNs)
        {
            waits++;
            lastTimeoutNs = timeoutNs;
        }
    }

    @Test
    void spinsThenYieldsThenWaitsInTheTransportAndStartsOverAfterWork()
    {
        final CountingWaiter waiter = new CountingWaiter();
        final WaitingIdleStrategy idle = new WaitingIdleStrategy(3, 2, 1_000_000, 1_000_000, waiter);
        for (int i = 0; i < 5; i++)
        {
            idle.idle(0);
        }
        assertEquals(0, waiter.waits, "3 spins and 2 yields come first");
        idle.idle(0);
        idle.idle(0);
        assertEquals(2, waiter.waits);
        assertTrue(waiter.lastTimeoutNs >= 1_000_000, "a wait bounded, so deadlines and liveness checks still run");
        idle.idle(1);
        for (int i = 0; i < 5; i++)
        {
            idle.idle(0);
        }
        assertEquals(2, waiter.waits, "work resets the back-off");
    }

    @Test
    void briefWaitersAreUsedOnlyOnceTheBackOffsParksHaveGrownToTheLongest()
    {
        final CountingWaiter waiter = new CountingWaiter()
        {
            @Override
            public boolean waitsBriefly()
            {
                return true;
            }
        };
        final Map<String, String> env = new HashMap<>();
        env.put("RINGFOLD_IDLE", "backoff"); // 100 spins, 100 yields, parks of 1 us doubling to 100 us
        final var idle = RuntimeSettings.from(env).idleStrategy(waiter);
        for (int i = 0; i < 200 + 7; i++) // 1, 2, 4, 8, 16, 32, 64 us
        {
            idle.idle(0);
        }
        assertEquals(0, waiter.waits, "spins, yields and the growing parks come first");
        assertEquals("1 2 4 8 16 32 64 ", waiter.pauses.toString(), "the parks, µs, each in the transport's pause");
        idle.idle(0);
        idle.idle(0);
        assertEquals(2, waiter.waits);
        assertEquals(100_000, waiter.lastTimeoutNs, "then waits of the longest park, woken early by input");
        idle.idle(1);
        for (int i = 0; i < 200 + 7; i++)
        {
            idle.idle(0);
        }
        assertEquals(2, waiter.waits, "work starts the back-off over");
    }

    @Test
    void onlyTheBackOffStrategiesWaitInTheTransport()
    {
        final CountingWaiter waiter = new CountingWaiter();
        final Map<String, String> env = new HashMap<>();
        for (final String mode : new String[] {"auto", "backoff"})
        {
            env.put("RINGFOLD_IDLE", mode);
            assertInstanceOf(WaitingIdleStrategy.class, RuntimeSettings.from(env).idleStrategy(waiter), mode);
        }
        env.put("RINGFOLD_IDLE", "spin");
        assertEquals("BusySpinIdleStrategy", RuntimeSettings.from(env).idleStrategy(waiter).getClass().getSimpleName());
        env.put("RINGFOLD_IDLE", "auto");
        assertEquals("BackoffIdleStrategy", RuntimeSettings.from(env).idleStrategy(null).getClass().getSimpleName(),
            "without a transport to wait in, timed parks as before");
    }
}
