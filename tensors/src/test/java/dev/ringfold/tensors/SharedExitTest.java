package dev.ringfold.tensors;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A process that exits without closing its shared tensors (an exception out of main, System.exit) gives up its
 * uses in a shutdown hook: the file goes with the last user. No launcher involved.
 */
class SharedExitTest
{
    /** The child: "own JOB" allocates and dies by exception; "map JOB HEX" maps a handle and exits. */
    public static void main(final String[] args)
    {
        final BufferAllocator root = new RootAllocator();
        final NodeSharedAllocator shared = new NodeSharedAllocator(root, NodeSharedAllocatorTest.SHM, args[1], 7);
        if (args[0].equals("own"))
        {
            shared.allocate("doomed", DType.F32, 100);
            System.out.println("allocated");
            throw new IllegalStateException("the rank fails with its tensor open");
        }
        final Tensor peer = shared.map(SharedTensorHandle.decode(HexFormat.of().parseHex(args[2])));
        System.out.println("mapped " + peer.elementCount());
        System.exit(0);
    }

    private static Process child(final String... args) throws Exception
    {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--")) // the JVM flags the libraries need, as surefire passed them
            {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), SharedExitTest.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private static String finish(final Process p) throws Exception
    {
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child did not exit");
        return new String(p.getInputStream().readAllBytes());
    }

    @Test
    @Timeout(90)
    void anOwnerThatDiesByExceptionRemovesItsFile() throws Exception
    {
        final String job = "exit" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        final Process p = child("own", job);
        final String out = finish(p);
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("allocated"), out);
        assertEquals(List.of(), NodeSharedAllocatorTest.files(job), out);
    }

    @Test
    @Timeout(90)
    void aPeerThatExitsGivesUpItsUse() throws Exception
    {
        final String job = "exit" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (BufferAllocator root = new RootAllocator();
             NodeSharedAllocator shared = new NodeSharedAllocator(root, NodeSharedAllocatorTest.SHM, job, 0))
        {
            final Tensor mine = shared.allocate("kept", DType.I32, 10);
            final Path file = NodeSharedAllocatorTest.SHM.resolve(shared.handle(mine).fileName());
            final Process p = child("map", job, HexFormat.of().formatHex(shared.handle(mine).encode()));
            final String out = finish(p);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("mapped 10"), out);
            assertEquals(1, mine.sharedFile().users(), "the child's use was given back at exit");
            assertTrue(Files.exists(file));
            mine.close();
            assertFalse(Files.exists(file));
        }
    }
}
