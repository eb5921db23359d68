package dev.ringfold.openmpi;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Open MPI's two commands, as a README has them: mpijavac Hello.java, then mpirun -np 2 java Hello. */
class MpijavacTest
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void compileWithMpijavacThenRunWithMpjrun() throws Exception
    {
        assumeTrue(Files.isDirectory(ROOT.resolve("build/lib/api")), "run 'make' first");
        Files.writeString(dir.resolve("Hello.java"), """
            import mpi.*;
            class Hello {
                public static void main(String[] args) throws MPIException {
                    MPI.Init(args);
                    int[] sum = {MPI.COMM_WORLD.getRank() + 1};
                    MPI.COMM_WORLD.allReduce(sum, 1, MPI.INT, MPI.SUM);
                    System.out.println("rank " + MPI.COMM_WORLD.getRank() + " of " + MPI.COMM_WORLD.getSize() +
                        " sum " + sum[0]);
                    MPI.Finalize();
                }
            }
            """);
        final String showme = run(List.of(ROOT.resolve("bin/mpijavac").toString(), "--showme", "Hello.java"), 0);
        assertTrue(showme.contains("api/ringfold-openmpi-java-") && showme.contains("javac"), showme);
        run(List.of(ROOT.resolve("bin/mpijavac").toString(), "Hello.java"), 0);
        assertTrue(Files.isRegularFile(dir.resolve("Hello.class")));
        final String out = run(List.of(ROOT.resolve("bin/mpjrun").toString(), "-np", "2", "--no-tag-output",
            "--timeout", "150", "java", "Hello"), 0);
        assertEquals(List.of("rank 0 of 2 sum 3", "rank 1 of 2 sum 3"),
            out.lines().filter(l -> l.startsWith("rank")).sorted().toList(), out);
    }

    private String run(final List<String> cmd, final int expected) throws Exception
    {
        final Path log = dir.resolve("out.log");
        final Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
            .redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(200, TimeUnit.SECONDS), "finished: " + cmd);
        final String out = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(expected, p.exitValue(), cmd + "\n" + out);
        return out;
    }
}
