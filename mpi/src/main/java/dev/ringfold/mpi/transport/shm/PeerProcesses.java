package dev.ringfold.mpi.transport.shm;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Whether the processes of a node's peers still exist: {@code kill(pid, 0)}, which allocates nothing, unlike
 * {@link ProcessHandle}. A peer that has exited (and been reaped by its launcher) reads as gone.
 */
final class PeerProcesses
{
    private static final MethodHandle KILL;

    static
    {
        MethodHandle kill = null;
        try
        {
            final Linker linker = Linker.nativeLinker();
            kill = linker.downcallHandle(linker.defaultLookup().find("kill").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        }
        catch (final RuntimeException | LinkageError ex)
        {
            // fall back to ProcessHandle below
        }
        KILL = kill;
    }

    private PeerProcesses()
    {
    }

    static boolean isAlive(final long pid)
    {
        if (KILL != null)
        {
            try
            {
                // 0: exists; -1 with EPERM also means it exists, but peers of one job share a user
                return (int)KILL.invokeExact((int)pid, 0) == 0;
            }
            catch (final Throwable ex)
            {
                // fall through
            }
        }
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
