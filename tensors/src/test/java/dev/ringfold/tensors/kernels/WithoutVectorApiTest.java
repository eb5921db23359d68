package dev.ringfold.tensors.kernels;

import dev.ringfold.mpi.JvmFlags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mpjrun starts ranks without the Vector API module when their program cannot reach the kernels. A JVM that
 * reaches them anyway (by reflection, or started by hand with the runtime's flags only) gets an error naming the
 * flag, not a NoClassDefFoundError, from the reductions (the collectives' way in) and the first layer of a model.
 */
@Timeout(120)
final class WithoutVectorApiTest
{
    @Test
    void theReductionsAndTheLayersNameTheMissingFlag() throws Exception
    {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmFlags.REQUIRED);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), FirstUse.class.getName()));
        final Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), output);
        assertEquals(0, process.exitValue(), output);
        for (final String kernels : FirstUse.KERNELS)
        {
            assertTrue(output.contains(kernels + ": IllegalStateException: "), output);
        }
        assertEquals(FirstUse.KERNELS.size(), output.lines().filter(l -> l.contains(JvmFlags.VECTOR_API)).count(),
            output);
        assertFalse(output.contains("NoClassDefFoundError"), output);
        assertFalse(output.contains("module present"), output);
    }

    /** Initialises each kernel class the way a first call would and prints what that threw. */
    static final class FirstUse
    {
        static final List<String> KERNELS = List.of(ReduceKernels.class.getName(),
            dev.ringfold.tensors.nn.Linear.class.getName());

        public static void main(final String[] args)
        {
            if (JvmFlags.hasVectorApi())
            {
                System.out.println("module present");
            }
            for (final String kernels : KERNELS)
            {
                try
                {
                    Class.forName(kernels, true, FirstUse.class.getClassLoader());
                    System.out.println(kernels + ": initialised");
                }
                catch (final ExceptionInInitializerError ex)
                {
                    System.out.println(kernels + ": " + ex.getCause().getClass().getSimpleName() + ": " +
                        ex.getCause().getMessage());
                }
                catch (final Throwable ex)
                {
                    System.out.println(kernels + ": " + ex);
                }
            }
        }
    }
}
