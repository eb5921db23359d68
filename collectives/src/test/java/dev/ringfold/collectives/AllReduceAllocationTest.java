package dev.ringfold.collectives;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** All-reduce of tensors on two real ranks allocates nothing once warm (small and ring-sized). */
class AllReduceAllocationTest
{
    @Test
    @Timeout(300)
    void allReduceOfTensorsAllocatesNothing() throws Exception
    {
        final String text = Job.run(2, "shm", 240, AllReduceAllocationRanks.class);
        assertEquals(2, Job.count(text, "ok allocation rank"), text);
        System.out.println(text);
    }
}
