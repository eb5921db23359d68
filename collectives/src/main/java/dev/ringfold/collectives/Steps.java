package dev.ringfold.collectives;

/**
 * The frame of a collective made of other collectives run one after another (the hierarchical ones): it waits for
 * its turn on the node's region in call order, keeps the turn to the end, and has one step in flight at a time,
 * started with the caller's tag (the node and leader communicators carry this communicator's collectives alone).
 */
final class Steps
{
    /** What the collective does when its turn comes and after each step. */
    interface Plan
    {
        /** The turn has come: start the first step, or finish. */
        void enter();

        /** The step in flight has finished: start the next, or finish. */
        void next();
    }

    private final CallOrder.Turn turn;
    private final Operation owner;
    private final Plan plan;
    private Operation current;

    /** The frame of {@code owner}, the collective that runs the steps and says what they are. */
    <O extends Operation & Plan> Steps(final CallOrder order, final O owner)
    {
        this.turn = new CallOrder.Turn(order);
        this.owner = owner;
        this.plan = owner;
    }

    /** When the collective begins: queues for the turn, and enters the plan if it has come at once. */
    void begin()
    {
        current = null;
        turn.take();
        if (turn.acquire())
        {
            plan.enter();
        }
    }

    /**
     * Moves the collective on: enters the plan when the turn comes, goes to its next step when the one in flight
     * has finished; throws the error of a step that failed. Returns the work done (0 while waiting).
     */
    int advance()
    {
        if (!turn.isHeld())
        {
            if (!turn.acquire()) // an earlier call may still hold the node's region
            {
                return 0;
            }
            plan.enter();
            return 1;
        }
        if (current != null)
        {
            if (!current.isComplete())
            {
                return 0;
            }
            final RuntimeException error = current.error();
            if (error != null)
            {
                throw error;
            }
            current = null;
        }
        plan.next();
        return 1;
    }

    /** Starts a step with the owner's tag, its messages carrying the owner's call (its stamp). */
    void start(final Operation step)
    {
        current = step;
        step.start(owner.tag, owner.stamp);
    }

    /** The collective failed or was abandoned: so is the step in flight (its requests withdrawn), with its error. */
    void abandon()
    {
        if (current != null)
        {
            current.abandon(owner.error());
        }
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
