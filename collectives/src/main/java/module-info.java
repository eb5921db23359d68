/** The collective operations: {@code Collectives} and one class per algorithm (package-private). */
module dev.ringfold.collectives
{
    requires transitive dev.ringfold.tensors;

    exports dev.ringfold.collectives;
}
