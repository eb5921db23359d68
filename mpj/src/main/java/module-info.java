/**
 * The mpiJava 1.2 API as MPJ Express has it: package {@code mpi} (and MPJ Express's {@code mpjbuf} and
 * {@code mpjdev}). Module {@code dev.ringfold.openmpi} has a package {@code mpi} too: the two are alternatives,
 * never on one module path or class path together ({@code mpjrun --api} adds exactly one).
 */
module dev.ringfold.mpj
{
    requires dev.ringfold.collectives;

    exports mpi;
    exports mpjbuf;
    exports mpjdev;
}
