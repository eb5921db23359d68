package dev.ringfold.training.data;

/**
 * Where a training run stands, for a checkpoint: optimizer steps taken, the epoch, the run's seed, and the state of
 * its shared random generator (whatever 64-bit state the training code keeps; the same on every rank).
 */
public record TrainingProgress(long step, long epoch, long seed, long rngState)
{
}
