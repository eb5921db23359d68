package dev.ringfold.launch;

import dev.ringfold.mpi.JvmFlags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The command lines of Open MPI's Java READMEs ("mpirun -np 4 java -cp mpi.jar:. Hello") work with mpjrun. */
class MpirunStyleTest
{
    @TempDir
    Path dir;

    @Test
    void javaAndItsOptionsAfterTheLauncherOptions() throws Exception
    {
        final LaunchOptions o = LaunchArguments.parse(new String[]{"-np", "4", "--api", "none", "java", "-Xmx1g",
            "-cp", "classes", "Hello", "a"}, dir);
        assertEquals(4, o.np());
        assertEquals("Hello", o.mainClass());
        assertEquals(List.of("a"), o.programArgs());
        // Hello is not in the (empty) classes folder, so the Vector API module is added: what it reaches is unknown
        assertEquals(List.of(JvmFlags.VECTOR_API, "-Xmx1g"), o.jvmOptions());
        assertEquals(List.of(dir.resolve("classes").toString()), o.userClassPath());
    }

    @Test
    void javaAsTheProgramsArgumentStaysAnArgument() throws Exception
    {
        final LaunchOptions o = LaunchArguments.parse(new String[]{"-np", "2", "--api", "none", "Tool", "java"}, dir);
        assertEquals("Tool", o.mainClass());
        assertEquals(List.of("java"), o.programArgs());
    }
}
