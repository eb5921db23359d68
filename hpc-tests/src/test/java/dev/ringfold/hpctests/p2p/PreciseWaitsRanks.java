package dev.ringfold.hpctests.p2p;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Rank 1 receives three messages that rank 0 sends 300 ms apart, on shared memory: its waits run through the
 * back-off into the doorbell, long enough for the futex to be linked, and from then on its waiting thread's timer
 * slack must be 1 µs ({@code prctl(PR_GET_TIMERSLACK)}, read here with its own link), where it was Linux's usual
 * 50 µs before (set so at start, whatever the launcher's was). Prints {@code ok precise waits rank r}.
 */
public final class PreciseWaitsRanks
{
    private static final int PR_SET_TIMERSLACK = 29;
    private static final int PR_GET_TIMERSLACK = 30;
    private static final long USUAL_SLACK_NS = 50_000;
    private static final long PRECISE_SLACK_NS = 1_000;

    public static void main(final String[] args) throws Throwable
    {
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator w = rf.world();
            prctl(PR_SET_TIMERSLACK, USUAL_SLACK_NS);
            final long[] value = new long[1];
            if (w.rank() == 0)
            {
                for (int round = 0; round < 3; round++)
                {
                    Thread.sleep(300);
                    value[0] = round;
                    w.send(value, 0, 1, 1, 7);
                }
            }
            else
            {
                Check.equal(USUAL_SLACK_NS, prctl(PR_GET_TIMERSLACK, 0), "timer slack before any wait");
                for (int round = 0; round < 3; round++)
                {
                    w.recv(value, 0, 1, 0, 7);
                    Check.equal(round, value[0], "message " + round);
                }
                Check.equal(PRECISE_SLACK_NS, prctl(PR_GET_TIMERSLACK, 0),
                    "timer slack of a thread that has waited in the doorbell");
            }
            w.barrier();
            System.out.println("ok precise waits rank " + w.rank());
        }
    }

    private static long prctl(final int option, final long argument) throws Throwable
    {
        final Linker linker = Linker.nativeLinker();
        final MethodHandle prctl = linker.downcallHandle(linker.defaultLookup().find("prctl").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), Linker.Option.firstVariadicArg(1));
        return (int)prctl.invokeExact(option, argument, 0L, 0L, 0L);
    }
}
