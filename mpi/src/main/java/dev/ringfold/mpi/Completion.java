package dev.ringfold.mpi;

/** Something a rank can wait for with {@link Communicator#await(Completion)}: a collective in flight, say. */
public interface Completion
{
    boolean isComplete();

    /** What is being waited for, for the message when a deadline passes: "allReduce of 4096 bytes", say. */
    String describe();

    /**
     * More on a wait that has stalled (see RINGFOLD_STALL_MS), printed once with {@link #describe()}: which ranks
     * have entered a collective and which have not, say. Null when there is nothing more to say.
     */
    default String stallDetail()
    {
        return null;
    }
}
