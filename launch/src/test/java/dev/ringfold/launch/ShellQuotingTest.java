package dev.ringfold.launch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
final class ShellQuotingTest
{
    private static final List<String> WORDS = List.of("plain", "-Dk=v", "/a/b:c/*", "", "two words", "it's",
        "$HOME", "`id`", "a\"b", "back\\slash", "tab\there", "new\nline", "*", "~user", "!bang", "semi;colon");

    @Test
    void aShellReadsBackExactlyTheQuotedWords() throws Exception
    {
        final String script = "for w in " + WORDS.stream().map(ShellQuoting::quote).collect(Collectors.joining(" ")) +
            "; do printf '%s\\0' \"$w\"; done";
        final Process sh = new ProcessBuilder("/bin/sh", "-c", script).start();
        final String output = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(sh.waitFor(10, TimeUnit.SECONDS));
        assertEquals(String.join("\0", WORDS) + "\0", output);
    }

    @Test
    void plainWordsStayBare()
    {
        assertEquals("-Xmx1g", ShellQuoting.quote("-Xmx1g"));
        assertEquals("RINGFOLD_RANK=0", ShellQuoting.quote("RINGFOLD_RANK=0"));
        assertEquals("'lib/*'", ShellQuoting.quote("lib/*"));
        assertEquals("''", ShellQuoting.quote(""));
    }
}
