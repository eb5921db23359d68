package dev.ringfold.launch;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to start one rank, independent of how it is started.
 *
 * @param slot    where it runs.
 * @param env     variables added to the inherited environment, in the order they are shown.
 * @param argv    the java command line.
 * @param workDir the working directory, or null for the launcher's.
 */
record RankCommand(RankSlot slot, Map<String, String> env, List<String> argv, Path workDir)
{
    int rank()
    {
        return slot.rank();
    }
}
