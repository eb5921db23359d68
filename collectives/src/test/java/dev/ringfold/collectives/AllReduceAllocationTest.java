package dev.ringfold.collectives;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** All-reduce of tensors on two real ranks allocates nothing once warm (small and ring-sized). */
class AllReduceAllocationTest
{
    @ParameterizedTest(name = "checked calls: {0}")
    @ValueSource(ints = {0, 1})
    @Timeout(300)
    void allReduceOfTensorsAllocatesNothing(final int checked) throws Exception
    {
        final String text = Job.run(2, "shm", 240, List.of("RINGFOLD_CHECK_COLLECTIVES=" + checked),
            AllReduceAllocationRanks.class);
        assertEquals(2, Job.count(text, "ok allocation rank"), text);
        System.out.println(text);
    }
}
