/** Data parallelism (buckets, parameter servers, elastic) and pipeline parallelism, over the collectives. */
module dev.ringfold.training
{
    requires transitive dev.ringfold.collectives;

    exports dev.ringfold.training.data;
    exports dev.ringfold.training.pipeline;
}
