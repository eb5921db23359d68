package dev.ringfold.tensors;

import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A test's own Arrow allocator: a {@code @RegisterExtension} field, so a fresh one for each test (JUnit makes a test
 * instance per test), closed after the test and its {@code @AfterEach} methods. The test fails if any byte is still
 * allocated then: it leaked a tensor, a vector or a buffer.
 */
public final class LeakCheckingAllocator extends RootAllocator implements AfterEachCallback
{
    @Override
    public void afterEach(final ExtensionContext context)
    {
        assertEquals(0, getAllocatedMemory(), () -> "bytes still allocated after the test: " + toVerboseString());
        close();
    }
}
