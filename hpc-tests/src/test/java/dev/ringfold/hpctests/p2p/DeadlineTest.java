package dev.ringfold.hpctests.p2p;

import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A blocking call past its deadline fails with what it waited for, and leaves the communicator usable. */
class DeadlineTest
{
    @ParameterizedTest(name = "dev={0}")
    @ValueSource(strings = {"shm", "tcp"})
    @Timeout(120)
    void timedOutReceiveIsWithdrawn(final String dev) throws Exception
    {
        final Mpjrun.Result r = Mpjrun.run(2, dev, List.of("RINGFOLD_TIMEOUT_MS=1000", "RINGFOLD_STALL_MS=400"), 60,
            DeadlineRanks.class);
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(1, r.count("deadline: rank 0: timed out after 1000 ms waiting on receive of up to 8 bytes from " +
            "world rank 1 (tag 5) on WORLD"), r::toString);
        assertEquals(1, r.stderr().lines().filter(l -> l.contains("ringfold: stall: rank 0 has waited") &&
            l.contains("receive of up to 8 bytes from world rank 1 (tag 5)")).count(), r::toString);
        assertEquals(2, r.count("ok deadline rank"), r::toString);
    }

    /**
     * Issue 21 item 1: after each kind of deadline or cancel the caller frees its buffer at once and the job runs
     * on (a late write into freed memory would end it with SIGSEGV). Streamed through the ring, pulled with
     * cross-memory attach, moved by address over TCP, and by the site's MPI (native, where mpirun is installed).
     */
    @ParameterizedTest(name = "path={0}")
    @ValueSource(strings = {"streamed", "pulled", "tcp", "native"})
    @Timeout(180)
    void withdrawnBufferMayBeFreedAtOnce(final String path) throws Exception
    {
        final String dev = path.equals("tcp") || path.equals("native") ? path : "shm";
        final String cma = path.equals("pulled") ? "RINGFOLD_CMA=1" : "RINGFOLD_CMA=0";
        final Mpjrun.Result r = Mpjrun.run(2, dev, List.of(cma), 120, WithdrawalRanks.class);
        assertEquals(0, r.exitCode(), r::toString);
        if (path.equals("pulled") || path.equals("native"))
        {
            // a pull takes the bytes at the match, and MPI's move by address cannot be redirected, so the receiving
            // side waits it out: either way the receive completes and nothing is left to withdraw
            assertEquals(1, r.count("withdrawal: receiver-timeout receiver completed"), r::toString);
            assertEquals(1, r.count("withdrawal: receiver-timeout sender completed"), r::toString);
            assertEquals(1, r.count("withdrawal: cancel receiver completed"), r::toString);
        }
        else
        {
            assertEquals(1, r.count("withdrawal: receiver-timeout receiver deadline"), r::toString);
            assertEquals(1, r.count("withdrawal: receiver-timeout sender withdrawn-by-peer (rank 0: world rank 1 " +
                "withdrew the receive matched with this send of 67108864 bytes to world rank 1 (tag 4)"), r::toString);
            assertEquals(1, r.count("withdrawal: cancel receiver withdrawn"), r::toString);
            assertEquals(1, r.count("withdrawal: cancel sender withdrawn-by-peer"), r::toString);
        }
        // the sender's deadline: withdrawn at once, or (pulled) once the receiver answers the cancel
        assertEquals(1, r.count("withdrawal: sender-timeout sender deadline"), r::toString);
        assertEquals(1, r.count("withdrawal: sender-timeout receiver saw no message"), r::toString);
        assertEquals(1, r.count("withdrawal: eager receiver deadline"), r::toString);
        assertEquals(2, r.count("ok withdrawal rank"), r::toString);
    }
}
