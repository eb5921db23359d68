/** Tensors on Arrow buffers, node-shared tensors, checkpoints; vectorised kernels; neural-network layers. */
@SuppressWarnings("module")
module dev.ringfold.tensors
{
    requires transitive dev.ringfold.mpi;
    requires transitive org.apache.arrow.memory.core;   // Tensor wraps and hands out ArrowBuf
    requires transitive org.apache.arrow.vector;        // checkpoints as Arrow IPC
    requires org.apache.arrow.format;
    requires jdk.incubator.vector;

    exports dev.ringfold.tensors;
    exports dev.ringfold.tensors.kernels;
    exports dev.ringfold.tensors.nn;
}
