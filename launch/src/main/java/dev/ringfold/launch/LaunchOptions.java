package dev.ringfold.launch;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A parsed mpjrun command line, with paths already made absolute against the directory mpjrun was started in.
 *
 * @param np            how many ranks to start.
 * @param device        "auto", "shm" or "tcp", passed to the ranks as RINGFOLD_DEV.
 * @param userClassPath the class path after Ringfold's own jars: the mpi API jar that --api chose (if any), then the
 *                      user's entries (the -jar jar first).
 * @param workDir       the ranks' working directory, or null for mpjrun's own.
 * @param jvmOptions    options for the rank JVMs, in the order given.
 * @param timeoutMs     how long the whole job may run, or 0 for no limit.
 * @param tagOutput     whether each output line is prefixed with "[rank] ".
 * @param extraEnv      variables added to every rank's environment.
 * @param dryRun        print the commands instead of running them.
 * @param mainClass     the class whose main the ranks run.
 * @param programArgs   the arguments passed to that main.
 * @param hosts         the hosts of -machinesfile, in file order, or null to run every rank on this node.
 * @param traceFile     where --trace merges the ranks' timelines, or null for no trace.
 * @param maxRestarts   how many times --max-restarts starts a failed job again (0: never).
 * @param elasticMin    --elastic MIN:MAX: the job goes on after a rank dies while at least this many ranks live
 *                      (0: not elastic, a rank's failure stops the job).
 * @param elasticMax    --elastic's MAX, at least np.
 * @param maxReplacements with --elastic: how many replacements of dead ranks mpjrun starts in all (0: none).
 * @param aotCache      --aot-cache FILE: the program's own AOT cache, used or recorded ({@link ProgramCache}), or null.
 */
record LaunchOptions(int np, String device, List<String> userClassPath, Path workDir, List<String> jvmOptions,
    long timeoutMs, boolean tagOutput, Map<String, String> extraEnv, boolean dryRun, String mainClass,
    List<String> programArgs, List<Hostfile.Host> hosts, Path traceFile, int maxRestarts, int elasticMin,
    int elasticMax, int maxReplacements, Path aotCache)
{
    /** The same job with variables added to every rank's environment (a restart's number, the trace folder). */
    LaunchOptions withEnv(final Map<String, String> more)
    {
        final Map<String, String> env = new java.util.LinkedHashMap<>(extraEnv);
        env.putAll(more);
        return new LaunchOptions(np, device, userClassPath, workDir, jvmOptions, timeoutMs, tagOutput,
            java.util.Collections.unmodifiableMap(env), dryRun, mainClass, programArgs, hosts, traceFile, maxRestarts,
            elasticMin, elasticMax, maxReplacements, aotCache);
    }
}
