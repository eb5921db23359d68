/**
 * The runtime: start-up, communicators, requests, the engine and its transports (shared memory, TCP, the site's MPI
 * library). Its API is {@code dev.ringfold.mpi} and the timeline and counters of {@code dev.ringfold.mpi.trace};
 * the other packages are exported only to the Ringfold modules that need them (qualified exports), and the
 * transports not at all. On the class path, where {@code bin/mpjrun} runs ranks, every public class is reachable
 * as before; this descriptor is what javac enforces between Ringfold's modules and what a modular user sees.
 */
// "module": the modules the qualified exports name are not on this module's own module path when it compiles;
// "requires-(transitive-)automatic": Agrona 2.6 has no module-info, only its Automatic-Module-Name (org.agrona)
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module dev.ringfold.mpi
{
    requires transitive org.agrona;      // Communicator's API takes Agrona's DirectBuffer and MutableDirectBuffer
    requires transitive java.logging;    // RingfoldLog.level returns a java.util.logging.Level
    requires jdk.net;                    // TCP keep-alive timing (ExtendedSocketOptions)

    exports dev.ringfold.mpi;
    exports dev.ringfold.mpi.trace;

    // what the layers above need of a communicator and is no part of its API (collective context, stamps,
    // progress hooks, dead members, attached state), and cross-memory attach (the broadcast's readers pull with it)
    exports dev.ringfold.mpi.internal to dev.ringfold.collectives, dev.ringfold.training;
    // the job secret and kernel randomness: the launcher proves the job, tensors and collectives name shared files
    exports dev.ringfold.mpi.auth to dev.ringfold.launch, dev.ringfold.tensors, dev.ringfold.collectives;
    // launch environment, rendezvous server and node identity: the launcher hosts the rendezvous, the others ask
    // which ranks share a node (the benchmark which rank it is before it starts the runtime)
    exports dev.ringfold.mpi.bootstrap to dev.ringfold.launch, dev.ringfold.tensors, dev.ringfold.mpj,
        dev.ringfold.openmpi, dev.ringfold.bench;
    // group and Cartesian-grid arithmetic, written once for the two Java MPI APIs
    exports dev.ringfold.mpi.topology to dev.ringfold.mpj, dev.ringfold.openmpi;
    // the native device's own collectives (MPI_Allreduce and friends), which Collectives selects under -dev native
    exports dev.ringfold.mpi.transport.mpinative to dev.ringfold.collectives;
}
