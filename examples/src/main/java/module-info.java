/** The demos and the programs the docs quote. */
module dev.ringfold.examples
{
    requires dev.ringfold.training;
    requires com.fasterxml.jackson.databind;   // FashionMnistCompare writes its results as JSON

    exports dev.ringfold.examples;
    exports dev.ringfold.examples.fashion;
}
