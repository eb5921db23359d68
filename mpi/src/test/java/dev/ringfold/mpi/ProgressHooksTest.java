package dev.ringfold.mpi;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The hooks of a round of progress: each runs once per round, and may remove itself or others while it runs. */
class ProgressHooksTest
{
    private final ProgressHooks hooks = new ProgressHooks();
    private final List<String> ran = new ArrayList<>();

    private Progressable hook(final String name, final Runnable then)
    {
        return () ->
        {
            ran.add(name);
            then.run();
            return 1;
        };
    }

    @Test
    void everyHookRunsOncePerRoundAndTheirWorkAddsUp()
    {
        for (int i = 0; i < 20; i++) // past the first array's 8
        {
            hooks.add(hook("h" + i, () -> { }));
        }
        assertEquals(20, hooks.doWork());
        assertEquals(20, ran.size());
        assertEquals(20, ran.stream().distinct().count());
    }

    @Test
    void aHookThatRemovesItselfWhileItRunsSkipsNobodyAndRunsNobodyTwice()
    {
        final Progressable[] h = new Progressable[4];
        h[0] = hook("a", () -> { });
        h[1] = hook("b", () -> hooks.remove(h[1]));
        h[2] = hook("c", () -> { });
        h[3] = hook("d", () -> hooks.remove(h[3]));
        for (final Progressable p : h)
        {
            hooks.add(p);
        }
        assertEquals(4, hooks.doWork());
        assertEquals(List.of("d", "c", "b", "a"), ran);
        ran.clear();
        assertEquals(2, hooks.doWork());
        assertEquals(List.of("c", "a"), ran);
        hooks.remove(h[1]); // not there any more: nothing happens
        hooks.remove(h[0]);
        ran.clear();
        hooks.doWork();
        assertEquals(List.of("c"), ran);
    }
}
