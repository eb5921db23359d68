/** How the modules' process tests start real jobs (test scope only; never in build/lib). */
module dev.ringfold.testsupport
{
    requires org.junit.jupiter.api;

    exports dev.ringfold.testsupport;
}
