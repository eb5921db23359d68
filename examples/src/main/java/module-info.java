/**
 * The demos and the programs the docs quote. Programs, not a library: they export nothing (a main class needs
 * no export to run), and on the class path, where bin/mpjrun runs them and hpc-tests uses AllReduceCheck, every
 * public class is reachable.
 */
module dev.ringfold.examples
{
    requires dev.ringfold.training;
    requires com.fasterxml.jackson.databind;   // FashionMnistCompare writes its results as JSON
}
