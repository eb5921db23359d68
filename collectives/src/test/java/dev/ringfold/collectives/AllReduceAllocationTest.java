package dev.ringfold.collectives;

import dev.ringfold.testsupport.Mpjrun;
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
        final String text = Mpjrun.run(2, "shm", List.of("RINGFOLD_CHECK_COLLECTIVES=" + checked), 240,
            AllReduceAllocationRanks.class).assertSucceeded();
        assertEquals(2, Mpjrun.count(text, "ok allocation rank"), text);
        System.out.println(text);
    }
}
