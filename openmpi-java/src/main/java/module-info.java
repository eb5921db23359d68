/**
 * Open MPI 4.1's Java API: package {@code mpi}. Module {@code dev.ringfold.mpj} has a package {@code mpi} too: the
 * two are alternatives, never on one module path or class path together ({@code mpjrun --api} adds exactly one).
 */
module dev.ringfold.openmpi
{
    requires dev.ringfold.collectives;

    exports mpi;
}
