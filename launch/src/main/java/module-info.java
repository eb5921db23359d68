/** {@code mpjrun}: placement, the job secret, the rendezvous, supervision, restarts, traces. */
module dev.ringfold.launch
{
    requires dev.ringfold.mpi;

    exports dev.ringfold.launch;
}
