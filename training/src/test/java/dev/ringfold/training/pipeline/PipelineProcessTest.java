package dev.ringfold.training.pipeline;

import dev.ringfold.collectives.Job;
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
        final String text = Job.run(stages, "shm", 240, PipelineRanks.class, "equivalence");
        System.out.println(text);
        assertEquals(stages, Job.count(text, "ok equivalence rank"), text);
        // 2 schedules × m = 1, 2, 4, 8, 16 per stage; at 2 stages also the wide model (rendezvous-sized messages)
        assertEquals(2L * 5 * stages + (stages == 2 ? 4 : 0), Job.count(text, "max relative difference"), text);
    }

    @Test
    @Timeout(300)
    void mistakesAreRefusedWithClearMessagesAndTheCommunicatorGoesOn() throws Exception
    {
        final String text = Job.run(2, "shm", 240, PipelineRanks.class, "errors");
        System.out.println(text);
        assertEquals(2, Job.count(text, "ok errors rank"), text);
        assertEquals(2, Job.count(text, "refused shapes: pipeline stage"), text);
    }

    @Test
    @Timeout(300)
    void stepsAllocateNothing() throws Exception
    {
        final String text = Job.run(2, "shm", 240, PipelineRanks.class, "allocation");
        System.out.println(text);
        assertEquals(2, Job.count(text, "ok allocation rank"), text);
    }

    @ParameterizedTest(name = "dev {0}")
    @ValueSource(strings = {"shm", "tcp"})
    @Timeout(300)
    void twoStagesTimesTwoReplicasEqualPlainDataParallel(final String dev) throws Exception
    {
        final String text = Job.run(4, dev, 240, PipelineRanks.class, "grid", "2");
        System.out.println(text);
        assertEquals(4, Job.count(text, "ok grid rank"), text);
        assertEquals(8, Job.count(text, "relative difference to plain data parallel"), text);
    }
}
