package dev.ringfold.examples.fashion;

import dev.ringfold.training.pipeline.Schedule;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pipeline and compare examples take their own options out and hand the rest to TrainingOptions. */
class OwnOptionsTest
{
    @Test
    void thePipelineTakesItsOwnOptionsAndPassesTheRestOn()
    {
        final FashionMnistPipeline.Options options = FashionMnistPipeline.Options.parse(new String[]{ "--epochs", "2",
            "--stages", "3", "--pipeline", "gpipe", "--batch-size", "64", "--width", "48" });
        assertEquals(3, options.stages);
        assertEquals(4, options.microBatches, "the default");
        assertEquals(Schedule.GPIPE, options.schedule);
        assertEquals(48, options.width);
        assertEquals(2, options.training.epochs);
        assertEquals(64, options.training.batchSize);
    }

    @Test
    void aMissingOrBadValueIsNamed()
    {
        final IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
            () -> FashionMnistPipeline.Options.parse(new String[]{ "--epochs", "2", "--stages" }));
        assertEquals("--stages needs a value. usage: FashionMnistPipeline " + FashionMnistPipeline.USAGE,
            missing.getMessage());
        final IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
            () -> FashionMnistCompare.Options.parse(new String[]{ "--width", "0" }));
        assertEquals("--width must be a positive integer: '0'", zero.getMessage());
        final IllegalArgumentException schedule = assertThrows(IllegalArgumentException.class,
            () -> FashionMnistPipeline.Options.parse(new String[]{ "--pipeline", "zigzag" }));
        assertTrue(schedule.getMessage().startsWith("--pipeline: gpipe or 1f1b"), schedule.getMessage());
    }

    @Test
    void compareQuickShrinksTheRunUnlessTold()
    {
        final FashionMnistCompare.Options quick = FashionMnistCompare.Options.parse(new String[]{ "--quick",
            "--width", "32" });
        assertEquals(32, quick.width, "given, so kept");
        assertEquals(1536, quick.trainSamples);
        assertEquals(1, quick.training.epochs, "quick without --epochs");
        assertEquals(96, quick.training.batchSize);
        final FashionMnistCompare.Options told = FashionMnistCompare.Options.parse(new String[]{ "--epochs", "3",
            "--quick", "--batch-size", "48" });
        assertEquals(64, told.width);
        assertEquals(3, told.training.epochs);
        assertEquals(48, told.training.batchSize);
        final FashionMnistCompare.Options full = FashionMnistCompare.Options.parse(new String[]{ "--json",
            "--quick" });
        assertEquals(Path.of("--quick"), full.json, "a value, not the flag");
        assertEquals(0, full.trainSamples);
        assertEquals(5, full.training.epochs);
        assertNull(full.failure);
    }
}
