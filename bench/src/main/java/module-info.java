/**
 * The benchmarks of this checkout: {@code bin/ringfold-bench}'s {@code OsuBench} and {@code PipelineBench}, and the
 * JMH kernel benchmarks. Not a library (not installed): its jar is in build/lib, and ranks run it on the class
 * path through {@code bin/mpjrun}; the descriptor says what it uses and exports nothing.
 */
// "requires-automatic": JMH 1.37 has neither a module-info nor an Automatic-Module-Name (jmh.core comes from the
// jar's file name)
@SuppressWarnings("requires-automatic")
module dev.ringfold.bench
{
    requires dev.ringfold.training;    // PipelineBench's stages; with it collectives, tensors, the runtime, Agrona
    requires jdk.incubator.vector;     // the JMH benchmarks' plain Vector API loops, the kernels' baseline
    requires java.management;          // ResourceSnapshot: the soak's heap, threads and file descriptors
    requires jmh.core;                 // the JMH benchmarks

    // exports nothing: programs (their main classes and JMH's generated ones), not an API
}
