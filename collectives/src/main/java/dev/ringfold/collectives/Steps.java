package dev.ringfold.collectives;

/**
 * The frame of a collective made of other collectives run one after another (the hierarchical ones): it waits for
 * its turn on the node's region in call order, keeps the turn to the end, and has one step in flight at a time,
 * started with the caller's tag (the node and leader communicators carry this communicator's collectives alone).
 */
final class Steps
{
    /** Waiting for the turn or for the step in flight. */
    static final int WAITING = 0;
    /** The turn has just come: start the first step. */
    static final int TURN_CAME = 1;
    /** The step in flight (if any) has finished: start the next, or end. */
    static final int STEP_DONE = 2;

    private final CallOrder.Turn turn;
    private Operation current;

    Steps(final CallOrder order)
    {
        this.turn = new CallOrder.Turn(order);
    }

    /** When the collective begins: queues for the turn; whether it has come at once. */
    boolean begin()
    {
        current = null;
        turn.take();
        return turn.acquire();
    }

    /** Where the collective stands; throws the error of a step that failed. */
    int poll()
    {
        if (!turn.isHeld())
        {
            return turn.acquire() ? TURN_CAME : WAITING; // an earlier call may still hold the node's region
        }
        if (current != null)
        {
            if (!current.isComplete())
            {
                return WAITING;
            }
            final RuntimeException error = current.error();
            if (error != null)
            {
                throw error;
            }
            current = null;
        }
        return STEP_DONE;
    }

    void start(final Operation step, final int tag)
    {
        current = step;
        step.start(tag);
    }

    /** When the collective has ended, however: passes the turn on. */
    void end()
    {
        turn.release();
    }

    /** The step in flight, for stall reports. */
    String describe()
    {
        return current == null ? "" : ": " + current.describe();
    }
}
