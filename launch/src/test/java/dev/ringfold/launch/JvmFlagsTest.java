package dev.ringfold.launch;

import dev.ringfold.mpi.JvmFlags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The three copies of the required JVM flags must say the same thing. */
@Timeout(30)
final class JvmFlagsTest
{
    /** Maven runs the tests in launch/; the repository root is one up. */
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void binJvmFlagsMatchesJvmFlags() throws Exception
    {
        assertEquals(JvmFlags.ALL, words(Files.readString(ROOT.resolve("bin/jvm-flags"))),
            "bin/jvm-flags and dev.ringfold.mpi.JvmFlags disagree");
    }

    @Test
    void rootPomPropertyMatchesJvmFlags() throws Exception
    {
        final DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        final Document pom = factory.newDocumentBuilder().parse(ROOT.resolve("pom.xml").toFile());
        final NodeList properties = pom.getElementsByTagName("ringfold.jvm.flags");
        assertEquals(1, properties.getLength(), "the root pom defines ringfold.jvm.flags once");
        assertEquals(JvmFlags.ALL, words(properties.item(0).getTextContent()),
            "the root pom's ringfold.jvm.flags and dev.ringfold.mpi.JvmFlags disagree");
    }

    private static List<String> words(final String text)
    {
        return Arrays.stream(text.trim().split("\\s+")).filter(w -> !w.isEmpty()).toList();
    }
}
