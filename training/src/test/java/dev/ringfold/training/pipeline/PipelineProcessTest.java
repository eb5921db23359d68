package dev.ringfold.training.pipeline;

import java.util.List;
import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Pipelines on real ranks through bin/mpjrun (see {@link PipelineRanks} for what each job checks). */
class PipelineProcessTest
{
    @ParameterizedTest(name = "{0} stages")
    @ValueSource(ints = {2, 3})
    @Timeout(300)
    void gpipeAndOneFOneBEqualSequentialTrainingAndBoundLiveActivations(final int stages) throws Exception
    {
        final String text = Mpjrun.run(stages, "shm", List.of(), 240, PipelineRanks.class, "equivalence").assertSucceeded();
        System.out.println(text);
        assertEquals(stages, Mpjrun.count(text, "ok equivalence rank"), text);
        // 2 schedules × m = 1, 2, 4, 8, 16 per stage; at 2 stages also the wide model (rendezvous-sized messages)
        assertEquals(2L * 5 * stages + (stages == 2 ? 4 : 0), Mpjrun.count(text, "max relative difference"), text);
    }

    @Test
    @Timeout(300)
    void mistakesAreRefusedWithClearMessagesAndTheCommunicatorGoesOn() throws Exception
    {
        final String text = Mpjrun.run(2, "shm", List.of(), 240, PipelineRanks.class, "errors").assertSucceeded();
        System.out.println(text);
        assertEquals(2, Mpjrun.count(text, "ok errors rank"), text);
        assertEquals(2, Mpjrun.count(text, "refused shapes: pipeline stage"), text);
    }

    /**
     * A job whose stage allocated in its quietest round is run once more, in new JVMs: a clean clone's run once saw
     * a last stage allocate 768 bytes a step in all 8 rounds, where the next six jobs allocated nothing (the JIT
     * compiling a path so that an object escaped, for that JVM's life). An allocation the code makes fails both.
     */
    @Test
    @Timeout(300)
    void stepsAllocateNothing() throws Exception
    {
        Mpjrun.Result r = Mpjrun.run(2, "shm", List.of(), 120, PipelineRanks.class, "allocation");
        if (r.exitCode() != 0 && r.stderr().contains("step allocates"))
        {
            System.out.println("first job (allocated; run again in new JVMs):\n" + r);
            r = Mpjrun.run(2, "shm", List.of(), 120, PipelineRanks.class, "allocation");
        }
        final String text = r.assertSucceeded();
        System.out.println(text);
        assertEquals(2, Mpjrun.count(text, "ok allocation rank"), text);
    }

    @ParameterizedTest(name = "dev {0}")
    @ValueSource(strings = {"shm", "tcp"})
    @Timeout(300)
    void twoStagesTimesTwoReplicasEqualPlainDataParallel(final String dev) throws Exception
    {
        final String text = Mpjrun.run(4, dev, List.of(), 240, PipelineRanks.class, "grid", "2").assertSucceeded();
        System.out.println(text);
        assertEquals(4, Mpjrun.count(text, "ok grid rank"), text);
        assertEquals(8, Mpjrun.count(text, "relative difference to plain data parallel"), text);
    }
}
