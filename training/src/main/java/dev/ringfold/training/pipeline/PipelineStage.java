package dev.ringfold.training.pipeline;

import dev.ringfold.training.data.DataParallel;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Completion;
import dev.ringfold.mpi.PeerFailedException;
import dev.ringfold.mpi.Request;
import dev.ringfold.mpi.RingfoldException;
import dev.ringfold.mpi.internal.CommunicatorInternals;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import dev.ringfold.tensors.nn.Accuracy;
import dev.ringfold.tensors.nn.Activations;
import dev.ringfold.tensors.nn.GradientListener;
import dev.ringfold.tensors.nn.Sequential;
import dev.ringfold.tensors.nn.SoftmaxCrossEntropy;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.arrow.memory.BufferAllocator;

import java.util.ArrayList;
import java.util.List;

/**
 * This rank's stage of a pipeline: rank s of the pipeline communicator runs a contiguous slice of the model's
 * layers (stage s of p); activations go forward to rank s + 1 and gradients back to rank s - 1 by point-to-point
 * messages. One {@link #step()} runs m micro-batches of {@code microBatchRows} rows each under a {@link Schedule}:
 * the first stage reads them from {@link #input()}, the last computes softmax cross-entropy against
 * {@link #labels()}; the parameter gradients of the m micro-batches are summed into the stage's gradients (each
 * micro-batch's loss gradient is of the mean over the whole m × rows batch, so the sum is the batch's gradient).
 * The caller zeroes the gradients and runs its optimizer, or, in 2-D parallelism, {@link #dataParallel} does.
 *
 * <p>Creating a stage is collective over the pipeline communicator: neighbours exchange their shapes (features,
 * micro-batch rows, m, schedule) once, and a mismatch is refused on both sides naming both stages. Then every
 * buffer is made once: per activation slot ({@link Schedule#slots}) the layers' activations, the received input,
 * the received output gradient and (last stage) a loss; every send and receive has its own reusable request.
 * Receives are posted ahead, as soon as their slot is free, and sends are started as soon as their data is
 * computed and only waited for before their buffer is written again, so transfers overlap compute as far as the
 * engine's progress allows (it moves data while this rank is inside a Ringfold call). A step allocates nothing.
 *
 * <p>It runs on a duplicate of the communicator, so its messages never match the caller's. It sets the model's
 * {@link Sequential#gradientListener} (to drive progress between layers of a backward) until it is closed. One
 * thread.
 *
 * <p>A pipeline does not survive the death of a stage: the layers it held are gone. What it does instead is fail
 * everywhere, promptly, saying which stage died: every stage's {@link #step()} (and every later one) throws a
 * {@link PeerFailedException} whose message names the dead stage and its world rank. A neighbour of the dead
 * stage learns of the death from its own sends and receives; every wait also ends when any member of the pipeline
 * is known to have died, and a stage that fails tells its live neighbours (a small message on its own tag), which
 * pass it on, so that a stage waiting only on live stages is not left waiting, over any transport, and names the
 * stage that died rather than the neighbour that gave up. The way back is a restart from a checkpoint
 * ({@code mpjrun --max-restarts K}; docs/reliability.md).
 */
public final class PipelineStage implements AutoCloseable
{
    private static final int TAG_SHAPE = 1;
    private static final int TAG_ACTIVATION = 2;
    private static final int TAG_GRADIENT = 3;
    private static final int TAG_STOP = 4;
    private static final int HEADER = 7;
    /** A stop message: the dead rank's stage in this pipeline (-1 if not in it) and its world rank. */
    private static final int STOP_LENGTH = 2;

    private final String where;
    private final Communicator comm;
    private final Sequential model;
    private final Schedule schedule;
    private final int stage;
    private final int stages;
    private final int microBatches;
    private final int rows;
    private final int slots;
    private final int[] operations;
    private final boolean first;
    private final boolean last;
    private final int inputBytes;
    private final int outputBytes;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final Activations[] activations;
    private final Tensor[] receivedInput;
    private final Tensor[] receivedGradient;
    private final SoftmaxCrossEntropy[] losses;
    private final UnsafeBuffer[] outputView;
    private final UnsafeBuffer[] inputGradientView;
    private final UnsafeBuffer[] receivedInputView;
    private final UnsafeBuffer[] receivedGradientView;
    private final Request[] receiveActivation;
    private final Request[] receiveGradient;
    private final Request[] sendActivation;
    private final Request[] sendGradient;
    private final int[] lastUser;
    private final Tensor input;
    private final Tensor labels;
    private final Tensor[] inputSlices;
    private final Tensor[] labelSlices;
    private final StageTimeline timeline;
    private final GradientListener betweenLayers;
    private DataParallel dataParallel;
    private final int[] stopFromPrevious = new int[STOP_LENGTH];
    private final int[] stopFromNext = new int[STOP_LENGTH];
    private final int[] stopOut = new int[STOP_LENGTH];
    private final Request receiveStopPrevious = new Request();
    private final Request receiveStopNext = new Request();
    private final Request sendStopPrevious = new Request();
    private final Request sendStopNext = new Request();
    private final StageWait stageWait = new StageWait();
    private PeerFailedException failure;
    private boolean inLastBackward;
    private int live;
    private int peakLive;
    private double lossSum;
    private long correct;
    private boolean closed;

    /**
     * Collective over {@code pipeline}: this rank becomes stage {@code pipeline.rank()} of {@code pipeline.size()},
     * running {@code model} (this stage's layers; the caller keeps ownership). The last stage's output features are
     * the classes of its softmax cross-entropy.
     */
    public PipelineStage(final Communicator pipeline, final BufferAllocator allocator, final Sequential model,
        final Schedule schedule, final int microBatches, final int microBatchRows)
    {
        if (pipeline == null || allocator == null || model == null || schedule == null)
        {
            throw new NullPointerException("pipeline stage: " + (pipeline == null ? "communicator" :
                allocator == null ? "allocator" : model == null ? "model" : "schedule") + " is null");
        }
        this.stage = pipeline.rank();
        this.stages = pipeline.size();
        this.where = "pipeline stage " + stage + " of " + stages + " (rank " + stage + " of " + pipeline.name() + ")";
        if (microBatches < 1)
        {
            throw new IllegalArgumentException(where + ": micro-batches m=" + microBatches + " must be >= 1");
        }
        if (microBatchRows < 1)
        {
            throw new IllegalArgumentException(where + ": micro-batch rows=" + microBatchRows + " must be >= 1");
        }
        this.model = model;
        this.schedule = schedule;
        this.microBatches = microBatches;
        this.rows = microBatchRows;
        this.first = stage == 0;
        this.last = stage == stages - 1;
        this.inputBytes = checkedBytes(microBatchRows, model.inputFeatures());
        this.outputBytes = checkedBytes(microBatchRows, model.outputFeatures());
        this.comm = pipeline.dup();
        try
        {
            exchangeShapes();
        }
        catch (final PeerFailedException ex)
        {
            comm.close();
            throw new PeerFailedException(ex.worldRank(), where + ": " + describe(ex.worldRank()) + " failed while " +
                "the stages were being set up: " + ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            comm.close();
            throw ex;
        }
        this.slots = schedule.slots(stage, stages, microBatches);
        this.operations = schedule.operations(stage, stages, microBatches);
        this.activations = new Activations[slots];
        this.receivedInput = new Tensor[slots];
        this.receivedGradient = new Tensor[slots];
        this.losses = new SoftmaxCrossEntropy[slots];
        this.outputView = new UnsafeBuffer[slots];
        this.inputGradientView = new UnsafeBuffer[slots];
        this.receivedInputView = new UnsafeBuffer[slots];
        this.receivedGradientView = new UnsafeBuffer[slots];
        this.receiveActivation = new Request[slots];
        this.receiveGradient = new Request[slots];
        this.sendActivation = new Request[slots];
        this.sendGradient = new Request[slots];
        this.lastUser = new int[slots];
        this.inputSlices = first ? new Tensor[microBatches] : null;
        this.labelSlices = last ? new Tensor[microBatches] : null;
        try
        {
            for (int k = 0; k < slots; k++)
            {
                activations[k] = own(model.newActivations(allocator, rows));
                outputView[k] = activations[k].output().unsafeBuffer();
                inputGradientView[k] = activations[k].inputGradient().unsafeBuffer();
                receiveActivation[k] = new Request();
                receiveGradient[k] = new Request();
                sendActivation[k] = new Request();
                sendGradient[k] = new Request();
                if (!first)
                {
                    receivedInput[k] = own(Tensors.zeros(allocator, DType.F32, rows, model.inputFeatures())
                        .name("stage" + stage + ".input" + k));
                    receivedInputView[k] = receivedInput[k].unsafeBuffer();
                }
                if (!last)
                {
                    receivedGradient[k] = own(Tensors.zeros(allocator, DType.F32, rows, model.outputFeatures())
                        .name("stage" + stage + ".output.grad" + k));
                    receivedGradientView[k] = receivedGradient[k].unsafeBuffer();
                }
                else
                {
                    losses[k] = own(new SoftmaxCrossEntropy(allocator, model.outputFeatures(), rows));
                }
            }
            if (first)
            {
                input = own(Tensors.zeros(allocator, DType.F32, (long)microBatches * rows, model.inputFeatures())
                    .name("pipeline.input"));
                for (int i = 0; i < microBatches; i++)
                {
                    inputSlices[i] = own(input.slice(0, (long)i * rows, (long)(i + 1) * rows));
                }
            }
            else
            {
                input = null;
            }
            if (last)
            {
                labels = own(Tensors.zeros(allocator, DType.I32, (long)microBatches * rows).name("pipeline.labels"));
                for (int i = 0; i < microBatches; i++)
                {
                    labelSlices[i] = own(labels.slice(0, (long)i * rows, (long)(i + 1) * rows));
                }
            }
            else
            {
                labels = null;
            }
        }
        catch (final RuntimeException ex)
        {
            release();
            throw ex;
        }
        this.timeline = new StageTimeline(stage, stages, microBatches);
        // between layers of a backward: move what is in flight (a rendezvous send of an earlier micro-batch moves
        // only while this rank is in a Ringfold call) and, in the step's last backward, hand gradients to the replicas
        this.betweenLayers = (index, gradient) ->
        {
            comm.progress();
            if (inLastBackward && dataParallel != null)
            {
                dataParallel.gradientReady(index);
            }
        };
        model.gradientListener(betweenLayers);
        if (!first)
        {
            comm.irecv(stopFromPrevious, 0, STOP_LENGTH, stage - 1, TAG_STOP, receiveStopPrevious);
        }
        if (!last)
        {
            comm.irecv(stopFromNext, 0, STOP_LENGTH, stage + 1, TAG_STOP, receiveStopNext);
        }
    }

    /**
     * 2-D parallelism: this stage's gradients are all-reduced across its replicas by {@code replicas} (made over the
     * stage's data-parallel communicator with {@link #model()}'s parameters and gradients, see {@link PipelineGrid}).
     * Each gradient is handed over as soon as the step's last backward finishes it, so the all-reduce overlaps the
     * rest of that backward, and {@link #step()} ends with {@code replicas.step()} (average and update).
     */
    public PipelineStage dataParallel(final DataParallel replicas)
    {
        checkOpen();
        this.dataParallel = replicas;
        return this;
    }

    /**
     * Runs one step of m micro-batches: adds their gradients to the stage's (zero them first for a fresh step),
     * then, with {@link #dataParallel}, averages over the replicas and updates. Returns the batch's mean loss on the
     * last stage, NaN on the others.
     */
    public double step()
    {
        checkOpen();
        if (failure != null)
        {
            throw failure;
        }
        try
        {
            return runStep();
        }
        catch (final PeerFailedException ex)
        {
            if (ex == failure)
            {
                throw ex;
            }
            // a neighbour that gave up and closed fails this stage's transfers too: the stage that died is the one
            // to name, when a stop message or a member's death says which
            if (arrived(receiveStopPrevious) || arrived(receiveStopNext) ||
                CommunicatorInternals.deadMember(comm) >= 0)
            {
                throw stopped();
            }
            throw fail(ex.worldRank(), ex.getMessage());
        }
    }

    private double runStep()
    {
        final long stepStart = System.nanoTime();
        timeline.startStep();
        lossSum = 0;
        correct = 0;
        for (int i = 0; i < slots; i++)
        {
            postReceives(i);
        }
        for (final int op : operations)
        {
            if (op > 0)
            {
                forward(op - 1);
            }
            else
            {
                backward(-op - 1);
            }
        }
        for (int k = 0; k < slots; k++)
        {
            final long start = System.nanoTime();
            await(sendActivation[k]);
            await(sendGradient[k]);
            timeline.sendWait(lastUser[k], System.nanoTime() - start);
        }
        if (dataParallel != null)
        {
            dataParallel.step();
        }
        timeline.endStep(System.nanoTime() - stepStart);
        return last ? lossSum / microBatches : Double.NaN;
    }

    private void forward(final int microBatch)
    {
        final int k = microBatch % slots;
        lastUser[k] = microBatch;
        long start = System.nanoTime();
        await(sendActivation[k]); // the slot's output is rewritten below
        long now = System.nanoTime();
        timeline.sendWait(microBatch, now - start);
        final Tensor x;
        if (first)
        {
            x = inputSlices[microBatch];
        }
        else
        {
            start = now;
            await(receiveActivation[k]);
            now = System.nanoTime();
            timeline.receiveWait(microBatch, now - start);
            x = receivedInput[k];
        }
        final Tensor y = model.forward(activations[k], x, rows);
        if (last)
        {
            final SoftmaxCrossEntropy loss = losses[k];
            lossSum += loss.forward(y, labelSlices[microBatch], rows);
            correct += Accuracy.correct(loss.probabilities(), labelSlices[microBatch], rows);
        }
        timeline.forward(microBatch, System.nanoTime() - now);
        if (++live > peakLive)
        {
            peakLive = live;
        }
        if (!last)
        {
            comm.isend(outputView[k], 0, outputBytes, stage + 1, TAG_ACTIVATION, sendActivation[k]);
        }
    }

    private void backward(final int microBatch)
    {
        final int k = microBatch % slots;
        long start = System.nanoTime();
        await(sendGradient[k]); // the slot's input gradient is rewritten below
        long now = System.nanoTime();
        timeline.sendWait(microBatch, now - start);
        final Tensor dy;
        if (last)
        {
            dy = losses[k].backward(microBatches * rows);
        }
        else
        {
            start = now;
            await(receiveGradient[k]);
            now = System.nanoTime();
            timeline.receiveWait(microBatch, now - start);
            dy = receivedGradient[k];
        }
        inLastBackward = microBatch == microBatches - 1;
        model.backward(activations[k], dy, rows, !first);
        inLastBackward = false;
        timeline.backward(microBatch, System.nanoTime() - now);
        live--;
        if (!first)
        {
            comm.isend(inputGradientView[k], 0, inputBytes, stage - 1, TAG_GRADIENT, sendGradient[k]);
        }
        if (microBatch + slots < microBatches)
        {
            postReceives(microBatch + slots);
        }
    }

    /**
     * Waits for one of this stage's transfers; ends early, with the pipeline's failure, when a neighbour says a stage
     * has failed or a member of the pipeline is known to have died.
     */
    private void await(final Request request)
    {
        if (!request.isComplete())
        {
            stageWait.request = request;
            comm.await(stageWait);
            stageWait.request = null;
            if (!request.isComplete())
            {
                throw stopped();
            }
        }
        request.await(); // its status, or its error
    }

    /** What ended a wait that did not complete: a neighbour's stop message, or a member's death. */
    private PeerFailedException stopped()
    {
        if (arrived(receiveStopPrevious))
        {
            return fail(stopFromPrevious[1], "reported by stage " + (stage - 1));
        }
        if (arrived(receiveStopNext))
        {
            return fail(stopFromNext[1], "reported by stage " + (stage + 1));
        }
        final int dead = CommunicatorInternals.deadMember(comm);
        return fail(dead, CommunicatorInternals.failureOf(comm, dead));
    }

    private static boolean arrived(final Request stop)
    {
        return stop.isActive() && stop.isComplete() && stop.failure() == null;
    }

    /**
     * Records the pipeline's failure (world rank {@code deadWorld} is gone), tells the live neighbours so that they
     * stop too, and returns the exception every later step throws.
     */
    private PeerFailedException fail(final int deadWorld, final String reason)
    {
        if (failure != null)
        {
            return failure;
        }
        failure = new PeerFailedException(deadWorld, where + ": " + describe(deadWorld) + " has failed (" + reason +
            "); a pipeline cannot go on without one of its stages, so every stage stops: restart from a checkpoint " +
            "(mpjrun --max-restarts K)");
        stopOut[0] = stageOf(deadWorld);
        stopOut[1] = deadWorld;
        tell(stage - 1, sendStopPrevious, deadWorld);
        tell(stage + 1, sendStopNext, deadWorld);
        return failure;
    }

    private void tell(final int neighbour, final Request request, final int deadWorld)
    {
        if (neighbour < 0 || neighbour >= stages || comm.worldRank(neighbour) == deadWorld)
        {
            return;
        }
        try
        {
            comm.isend(stopOut, 0, STOP_LENGTH, neighbour, TAG_STOP, request);
        }
        catch (final RingfoldException ex)
        {
            // that neighbour is gone too: it has nothing left to be told
        }
    }

    /** This pipeline's stage of a world rank, or -1. */
    private int stageOf(final int worldRank)
    {
        for (int s = 0; s < stages; s++)
        {
            if (comm.worldRank(s) == worldRank)
            {
                return s;
            }
        }
        return -1;
    }

    private String describe(final int worldRank)
    {
        final int s = stageOf(worldRank);
        return s >= 0 ? "stage " + s + " (world rank " + worldRank + ")" :
            "world rank " + worldRank + " (not a stage of this pipeline: a data-parallel replica of this stage)";
    }

    /** A wait on one transfer that also ends when the pipeline has failed elsewhere. */
    private final class StageWait implements Completion
    {
        Request request;

        @Override
        public boolean isComplete()
        {
            return request.isComplete() || arrived(receiveStopPrevious) || arrived(receiveStopNext) ||
                CommunicatorInternals.deadMember(comm) >= 0;
        }

        @Override
        public String describe()
        {
            return request.describe() + " (" + where + ")";
        }
    }

    private void postReceives(final int microBatch)
    {
        final int k = microBatch % slots;
        if (!first)
        {
            comm.irecv(receivedInputView[k], 0, inputBytes, stage - 1, TAG_ACTIVATION, receiveActivation[k]);
        }
        if (!last)
        {
            comm.irecv(receivedGradientView[k], 0, outputBytes, stage + 1, TAG_GRADIENT, receiveGradient[k]);
        }
    }

    /** Sends this stage's shape to both neighbours and checks theirs; a mismatch throws on both sides. */
    private void exchangeShapes()
    {
        final int[] mine = { stage, stages, schedule.ordinal(), microBatches, rows, model.inputFeatures(),
            model.outputFeatures() };
        final int[] fromPrevious = new int[HEADER];
        final int[] fromNext = new int[HEADER];
        final Request[] requests = new Request[4];
        if (!first)
        {
            requests[0] = comm.isend(mine, 0, HEADER, stage - 1, TAG_SHAPE);
            requests[1] = comm.irecv(fromPrevious, 0, HEADER, stage - 1, TAG_SHAPE);
        }
        if (!last)
        {
            requests[2] = comm.isend(mine, 0, HEADER, stage + 1, TAG_SHAPE);
            requests[3] = comm.irecv(fromNext, 0, HEADER, stage + 1, TAG_SHAPE);
        }
        Request.waitAll(requests);
        if (!first)
        {
            checkNeighbour(fromPrevious, stage - 1, stage, fromPrevious[6], model.inputFeatures());
        }
        if (!last)
        {
            checkNeighbour(fromNext, stage, stage + 1, model.outputFeatures(), fromNext[5]);
        }
    }

    private void checkNeighbour(final int[] theirs, final int sender, final int receiver, final int sent,
        final int taken)
    {
        final int other = theirs[0];
        if (theirs[1] != stages || theirs[2] != schedule.ordinal() || theirs[3] != microBatches || theirs[4] != rows)
        {
            throw new IllegalArgumentException(where + ": stage " + other + " runs " + theirs[1] + " stages, " +
                Schedule.values()[theirs[2]] + ", m=" + theirs[3] + " micro-batches of " + theirs[4] + " rows, but " +
                "stage " + stage + " runs " + stages + " stages, " + schedule + ", m=" + microBatches + " of " + rows +
                " rows: every stage must be created with the same schedule, m and micro-batch rows");
        }
        if (sent != taken)
        {
            throw new IllegalArgumentException(where + ": stage shapes do not match: stage " + sender + " sends " +
                "activations F32[" + rows + ", " + sent + "] but stage " + receiver + " takes F32[" + rows + ", " +
                taken + "] (the output features of stage " + sender + "'s last layer must equal the input features " +
                "of stage " + receiver + "'s first layer)");
        }
    }

    private int checkedBytes(final int microBatchRows, final int features)
    {
        final long bytes = (long)microBatchRows * features * Float.BYTES;
        if (bytes > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException(where + ": a micro-batch of " + microBatchRows + " rows × " + features +
                " features is " + bytes + " bytes, more than one message holds (2^31 - 1): use smaller micro-batches");
        }
        return (int)bytes;
    }

    private <T extends AutoCloseable> T own(final T resource)
    {
        owned.add(resource);
        return resource;
    }

    /** Stage 0's batch: F32[m × rows, input features], micro-batch i in rows [i·rows, (i+1)·rows). */
    public Tensor input()
    {
        if (!first)
        {
            throw new IllegalStateException(where + ": only stage 0 takes the input");
        }
        return input;
    }

    /** The last stage's labels: I32[m × rows]. */
    public Tensor labels()
    {
        if (!last)
        {
            throw new IllegalStateException(where + ": only the last stage (" + (stages - 1) + ") takes the labels");
        }
        return labels;
    }

    /** Rows classified right in the last step (last stage; 0 elsewhere). */
    public long correct()
    {
        return correct;
    }

    public Sequential model()
    {
        return model;
    }

    public int stage()
    {
        return stage;
    }

    public int stages()
    {
        return stages;
    }

    public int microBatches()
    {
        return microBatches;
    }

    public int microBatchRows()
    {
        return rows;
    }

    public Schedule schedule()
    {
        return schedule;
    }

    /** Activation slots made: m under GPipe, min(m, p - stage) under 1F1B. */
    public int activationSlots()
    {
        return slots;
    }

    /** The duplicate of the pipeline communicator its activations and their gradients go over (to count them). */
    public Communicator communicator()
    {
        return comm;
    }

    /** The most micro-batches that were between forward and backward at once on this stage, over all steps. */
    public int peakLiveActivations()
    {
        return peakLive;
    }

    public StageTimeline timeline()
    {
        return timeline;
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException(where + " is closed");
        }
    }

    /** Frees every buffer (allocator accounting back to zero) and the duplicate communicator. */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        model.gradientListener(null);
        // a stop message to a neighbour gets a moment to go out; the ones never sent are cancelled
        for (final Request r : new Request[] { sendStopPrevious, sendStopNext })
        {
            try
            {
                r.await(java.time.Duration.ofSeconds(1));
            }
            catch (final RingfoldException ex)
            {
                // the neighbour is gone: nothing to tell it
            }
        }
        receiveStopPrevious.cancel();
        receiveStopNext.cancel();
        release();
    }

    private void release()
    {
        for (int i = owned.size() - 1; i >= 0; i--)
        {
            try
            {
                owned.get(i).close();
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(where + ": closing " + owned.get(i), ex);
            }
        }
        owned.clear();
        comm.close();
    }

    @Override
    public String toString()
    {
        return where + ", " + schedule + ", m=" + microBatches + " × " + rows + " rows, layers " + model;
    }
}
