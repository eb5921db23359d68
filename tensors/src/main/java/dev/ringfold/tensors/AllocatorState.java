package dev.ringfold.tensors;

import org.apache.arrow.memory.BufferAllocator;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Whether an Arrow allocator has been closed. Arrow keeps this in a private field and checks it only when Java
 * assertions are on, and an allocator closed with a live buffer leaves that memory mapped; so a tensor that
 * outlived its allocator would silently keep working. We read the field (the class path is one unnamed module,
 * so no --add-opens is needed); if a future Arrow renames it, the check turns itself off rather than fail.
 */
final class AllocatorState
{
    private static final Class<?> BASE = baseClass();
    private static final VarHandle IS_CLOSED = find(BASE);

    private AllocatorState()
    {
    }

    static boolean isClosed(final BufferAllocator allocator)
    {
        return IS_CLOSED != null && BASE.isInstance(allocator) && (boolean)IS_CLOSED.getVolatile(allocator);
    }

    private static Class<?> baseClass()
    {
        try
        {
            return Class.forName("org.apache.arrow.memory.BaseAllocator");
        }
        catch (final ClassNotFoundException ex)
        {
            return null;
        }
    }

    private static VarHandle find(final Class<?> base)
    {
        if (base == null)
        {
            return null;
        }
        try
        {
            return MethodHandles.privateLookupIn(base, MethodHandles.lookup())
                .findVarHandle(base, "isClosed", boolean.class);
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            return null;
        }
    }
}
